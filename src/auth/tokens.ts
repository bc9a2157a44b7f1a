import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { LOCAL_ADMIN_SCOPE, parseScopes } from './scopes.js';
import type { KeyPair } from './signing-key.js';

/**
 * The `iss` and `aud` of every Sinew token. Constant rather than a URL: tokens are minted by the
 * CLI, which does not know the address clients use to reach the server.
 */
export const TOKEN_ISSUER = 'urn:sinew';
export const TOKEN_AUDIENCE = 'urn:sinew';

export interface MintOptions {
  /** SMART v2 scopes, space separated; absent means a local administrator token (`LOCAL_ADMIN_SCOPE`). */
  scope?: string;
  /** Launch context: the patient this token is confined to (SMART `patient` claim). */
  patient?: string;
  ttlSeconds: number;
  /** `sub`; default `local-admin` for an administrator token, `sinew-cli` otherwise. */
  subject?: string;
  /** For tests: the issue time. */
  now?: Date;
}

export interface Claims extends JWTPayload {
  scope: string;
  patient?: string;
  sub: string;
  exp: number;
  iat: number;
}

export type TokenErrorKind = 'expired' | 'bad-signature' | 'malformed' | 'invalid-claims' | 'unknown-key';

/** Why a bearer token was refused; the message is safe to show to the caller. */
export class TokenError extends Error {
  override name = 'TokenError';
  constructor(
    readonly kind: TokenErrorKind,
    message: string,
  ) {
    super(message);
  }
}

export async function mintToken(key: KeyPair, opts: MintOptions): Promise<string> {
  if (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds <= 0) throw new Error('token ttl must be a positive number of seconds');
  const scope = opts.scope?.trim() || LOCAL_ADMIN_SCOPE;
  parseScopes(scope); // refuse to sign a scope no route could understand
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const payload: Record<string, unknown> = { scope };
  if (opts.patient) payload.patient = opts.patient;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setSubject(opts.subject ?? (opts.scope?.trim() ? 'sinew-cli' : 'local-admin'))
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + opts.ttlSeconds)
    .sign(key.privateKey);
}

/** Verify signature, issuer, audience and expiry; every failure is a `TokenError` with a plain reason. */
export async function verifyToken(key: KeyPair, token: string, now?: Date): Promise<Claims> {
  try {
    const { payload, protectedHeader } = await jwtVerify(token, key.publicKey, {
      algorithms: [key.alg],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'iat', 'sub'],
      ...(now ? { currentDate: now } : {}),
    });
    if (protectedHeader.kid && protectedHeader.kid !== key.kid) {
      throw new TokenError('unknown-key', 'token was signed by a key this server does not hold');
    }
    if (typeof payload.scope !== 'string') throw new TokenError('invalid-claims', 'token has no scope claim');
    return payload as Claims;
  } catch (err) {
    throw toTokenError(err);
  }
}

function toTokenError(err: unknown): TokenError {
  if (err instanceof TokenError) return err;
  if (err instanceof errors.JWTExpired) return new TokenError('expired', 'token has expired');
  if (err instanceof errors.JWSSignatureVerificationFailed) return new TokenError('bad-signature', 'token signature is not valid');
  if (err instanceof errors.JWTClaimValidationFailed) return new TokenError('invalid-claims', `token claim "${err.claim}" is not valid`);
  if (err instanceof errors.JOSEAlgNotAllowed) return new TokenError('bad-signature', 'token is signed with an algorithm this server does not accept');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid) return new TokenError('malformed', 'token is not a well-formed JWT');
  // Anything else (bad base64, bad JSON) is still a malformed token, never a server error.
  return new TokenError('malformed', 'token is not a well-formed JWT');
}

const TTL = /^(\d+)\s*([smhd]?)$/;
const UNIT_SECONDS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** `3600`, `3600s`, `30m`, `1h`, `7d` → seconds. */
export function parseTtl(text: string): number {
  const m = TTL.exec(text.trim());
  const seconds = m ? Number(m[1]) * (UNIT_SECONDS[m[2] as string] as number) : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new Error(`invalid ttl "${text}": expected a positive duration such as 3600s, 30m, 1h or 7d`);
  }
  return seconds;
}
