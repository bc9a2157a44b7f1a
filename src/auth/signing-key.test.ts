import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import {
  databaseSigningKeyStore,
  fileSigningKeyStore,
  loadOrCreateSigningKey,
  memorySigningKeyStore,
  SIGNING_KEY_FILE,
  signingKeyStoreFor,
  type SigningKeyStore,
} from './signing-key.js';
import { mintToken, verifyToken } from './tokens.js';

describe('file signing key store', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinew-key-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('creates the key once, mode 0600, and reuses it', async () => {
    const store = fileSigningKeyStore(path.join(dir, 'a'));
    const first = await loadOrCreateSigningKey(store);
    const file = path.join(dir, 'a', SIGNING_KEY_FILE);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateSigningKey(fileSigningKeyStore(path.join(dir, 'a')));
    expect(again.kid).toBe(first.kid);
    // A token from before the "restart" still verifies.
    const token = await mintToken(first, { ttlSeconds: 60 });
    await expect(verifyToken(again, token)).resolves.toMatchObject({ sub: 'local-admin' });
    expect(fs.readdirSync(path.join(dir, 'a'))).toEqual([SIGNING_KEY_FILE]); // no temporary files left
  });

  it('ends with one key when several create at once', async () => {
    const keys = await Promise.all(Array.from({ length: 8 }, () => loadOrCreateSigningKey(fileSigningKeyStore(path.join(dir, 'b')))));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
  });

  it('keeps RS256 keys too', async () => {
    const key = await loadOrCreateSigningKey(fileSigningKeyStore(path.join(dir, 'c')), 'RS256');
    expect(key.alg).toBe('RS256');
    expect((await loadOrCreateSigningKey(fileSigningKeyStore(path.join(dir, 'c')))).kid).toBe(key.kid);
    expect(key.publicJwk).not.toHaveProperty('d');
  });

  it('is what a PGlite deployment with a data directory uses', () => {
    const store = signingKeyStoreFor({ dataDir: path.join(dir, 'd') });
    expect(store.load).toBeDefined();
    expect(() => signingKeyStoreFor({ databaseUrl: 'postgres://x', dataDir: 'memory' })).toThrow(/needs that database/);
  });
});

describe('memory signing key store', () => {
  it('keeps the first key', async () => {
    const store: SigningKeyStore = memorySigningKeyStore();
    const a = await loadOrCreateSigningKey(store);
    expect((await loadOrCreateSigningKey(store)).kid).toBe(a.kid);
  });
});

describe.each(ENGINES)('database signing key store on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('creates the key once and reuses it', async () => {
    const first = await loadOrCreateSigningKey(databaseSigningKeyStore(database.db));
    const again = await loadOrCreateSigningKey(databaseSigningKeyStore(database.db));
    expect(again.kid).toBe(first.kid);
    await expect(verifyToken(again, await mintToken(first, { ttlSeconds: 60 }))).resolves.toBeDefined();
  });

  it('ends with one key when several create at once', async () => {
    await database.db.deleteFrom('signing_key').execute();
    const keys = await Promise.all(Array.from({ length: 6 }, () => loadOrCreateSigningKey(databaseSigningKeyStore(database.db))));
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1);
    const rows = await database.db.selectFrom('signing_key').select('kid').execute();
    expect(rows.map((r) => r.kid)).toEqual([keys[0]?.kid]);
  });
});
