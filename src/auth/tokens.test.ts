import { describe, expect, it } from '@jest/globals';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { ADMIN_SCOPE, canIngestHl7v2, grantingScopes, hasScope, isAdmin, LOCAL_ADMIN_SCOPE, parseScopes, ScopeError } from './scopes.js';
import { generateSigningKey } from './signing-key.js';
import { mintToken, parseTtl, TokenError, verifyToken } from './tokens.js';

describe('mintToken / verifyToken', () => {
  it.each(['ES256', 'RS256'] as const)('round-trips a scoped %s token', async (alg) => {
    const key = await generateSigningKey(alg);
    const token = await mintToken(key, { scope: 'system/*.rs', patient: 'p1', ttlSeconds: 60 });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg, kid: key.kid });
    const claims = await verifyToken(key, token);
    expect(claims).toMatchObject({ scope: 'system/*.rs', patient: 'p1', sub: 'sinew-cli' });
    expect(claims.exp - claims.iat).toBe(60);
  });

  it('mints a local administrator token without a scope', async () => {
    const key = await generateSigningKey();
    const claims = await verifyToken(key, await mintToken(key, { ttlSeconds: 60 }));
    expect(claims.scope).toBe(LOCAL_ADMIN_SCOPE);
    expect(claims.sub).toBe('local-admin');
    expect(isAdmin(claims)).toBe(true);
  });

  it('refuses an expired token', async () => {
    const key = await generateSigningKey();
    const token = await mintToken(key, { ttlSeconds: 10, now: new Date(Date.now() - 60_000) });
    await expect(verifyToken(key, token)).rejects.toMatchObject({ kind: 'expired', message: 'token has expired' });
  });

  it('refuses a token signed by another key', async () => {
    const [a, b] = [await generateSigningKey(), await generateSigningKey()];
    const err = await verifyToken(b, await mintToken(a, { ttlSeconds: 60 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect((err as TokenError).kind).toBe('bad-signature');
  });

  it('refuses a tampered payload', async () => {
    const key = await generateSigningKey();
    const [h, , s] = (await mintToken(key, { scope: 'system/*.r', ttlSeconds: 60 })).split('.');
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(await mintToken(key, { ttlSeconds: 60 })), scope: ADMIN_SCOPE })).toString('base64url');
    await expect(verifyToken(key, `${h}.${forged}.${s}`)).rejects.toMatchObject({ kind: 'bad-signature' });
  });

  it.each(['', 'abc', 'a.b.c'])('calls %j malformed', async (token) => {
    await expect(verifyToken(await generateSigningKey(), token)).rejects.toMatchObject({ kind: 'malformed' });
  });

  it('refuses an unsigned (alg none) token', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"scope":"sinew/admin"}').toString('base64url')}.`;
    await expect(verifyToken(await generateSigningKey(), unsigned)).rejects.toMatchObject({ kind: 'bad-signature' });
  });

  it('refuses to mint a malformed scope', async () => {
    await expect(mintToken(await generateSigningKey(), { scope: 'system/Patient.xyz', ttlSeconds: 60 })).rejects.toBeInstanceOf(ScopeError);
  });
});

describe('parseTtl', () => {
  it.each([
    ['3600', 3600],
    ['3600s', 3600],
    ['30m', 1800],
    ['1h', 3600],
    ['7d', 604800],
  ])('%s → %d s', (text, seconds) => expect(parseTtl(text)).toBe(seconds));

  it.each(['', '0', '-1h', '1w', '1.5h', 'h'])('refuses %j', (text) => expect(() => parseTtl(text)).toThrow(/invalid ttl/));
});

describe('SMART scopes', () => {
  it('parses v2 scopes with granular constraints', () => {
    const { resources, others } = parseScopes(
      'patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory openid launch/patient',
    );
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatchObject({ context: 'patient', type: 'Observation' });
    expect([...(resources[0]?.interactions ?? [])]).toEqual(['r', 's']);
    expect(resources[0]?.constraints).toEqual([['category', 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory']]);
    expect(others).toEqual(['openid', 'launch/patient']);
  });

  it.each([
    ['user/Patient.read', ['r', 's']],
    ['user/Patient.write', ['c', 'u', 'd']],
    ['system/*.*', ['c', 'r', 'u', 'd', 's']],
  ])('maps v1 %s to v2', (scope, letters) => {
    expect([...(parseScopes(scope).resources[0]?.interactions ?? [])]).toEqual(letters);
  });

  it.each(['system/Patient.sr', 'system/Patient.rr', 'system/Patient.', 'system/patient.r', 'practitioner/*.r'])('refuses %s', (scope) => {
    if (scope.startsWith('practitioner')) expect(parseScopes(scope).others).toEqual([scope]);
    else expect(() => parseScopes(scope)).toThrow(ScopeError);
  });

  it('reports every malformed scope at once', () => {
    expect(() => parseScopes('system/A.x system/B.y')).toThrow(/system\/A\.x.*system\/B\.y/);
  });

  it('checks type, interaction and context', () => {
    const claims = { scope: 'patient/Observation.rs system/Patient.cr' };
    expect(hasScope(claims, { type: 'Observation', interaction: 'r' })).toBe(true);
    expect(hasScope(claims, { type: 'Observation', interaction: 'c' })).toBe(false);
    expect(hasScope(claims, { type: 'Observation', interaction: 'r', contexts: ['system'] })).toBe(false);
    expect(hasScope(claims, { type: 'Patient', interaction: 'c' })).toBe(true);
    expect(hasScope(claims, { type: 'Encounter', interaction: 'r' })).toBe(false);
    expect(hasScope({ scope: 'user/*.r' }, { type: 'Encounter', interaction: 'r' })).toBe(true);
  });

  it('counts constrained scopes only when the caller applies their filters', () => {
    const claims = { scope: 'user/Observation.rs?category=laboratory' };
    expect(hasScope(claims, { type: 'Observation', interaction: 's' })).toBe(false);
    expect(grantingScopes(claims, { type: 'Observation', interaction: 's', allowConstrained: true })).toHaveLength(1);
  });

  it('admits /hl7v2 with system/*.c or the admin scope only', () => {
    expect(canIngestHl7v2({ scope: 'system/*.c' })).toBe(true);
    expect(canIngestHl7v2({ scope: 'system/*.cruds' })).toBe(true);
    expect(canIngestHl7v2({ scope: ADMIN_SCOPE })).toBe(true);
    expect(canIngestHl7v2({ scope: 'system/Patient.c' })).toBe(false);
    expect(canIngestHl7v2({ scope: 'patient/*.c' })).toBe(false);
    expect(canIngestHl7v2({ scope: 'system/*.rs' })).toBe(false);
    expect(canIngestHl7v2(undefined)).toBe(false);
  });
});
