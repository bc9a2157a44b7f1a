import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';

export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
export type SigningAlg = (typeof SIGNING_ALGS)[number];

/** The deployment's own token key: private half signs `sinew token` output, public half is in the JWKS. */
export interface KeyPair {
  kid: string;
  alg: SigningAlg;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  /** Private JWK with `kid`, `alg` and `use`: the persisted form. */
  privateJwk: JWK;
  /** Public JWK with `kid`, `alg` and `use`: what `/.well-known/jwks.json` serves. */
  publicJwk: JWK;
}

/** Where the key lives; `save` must keep the first key when two processes create one at once. */
export interface SigningKeyStore {
  load(): Promise<KeyPair | undefined>;
  save(key: KeyPair): Promise<void>;
}

/** ES256 by default: short tokens and fast signing; RS256 for peers that only verify RSA. */
export async function generateSigningKey(alg: SigningAlg = 'ES256'): Promise<KeyPair> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(privateKey);
  // The RFC 7638 thumbprint is a stable kid that any verifier can recompute from the public key.
  const kid = await calculateJwkThumbprint(jwk);
  return keyPairFromJwk({ ...jwk, kid, alg, use: 'sig' });
}

export async function keyPairFromJwk(privateJwk: JWK): Promise<KeyPair> {
  const alg = privateJwk.alg as SigningAlg;
  if (!SIGNING_ALGS.includes(alg)) throw new Error(`signing key: unsupported alg ${String(privateJwk.alg)}`);
  if (!privateJwk.kid || !privateJwk.d) throw new Error('signing key: the stored JWK lacks its kid or private part');
  const privateKey = (await importJWK(privateJwk, alg, { extractable: false })) as CryptoKey;
  const publicJwk = publicPart(privateJwk);
  const publicKey = (await importJWK(publicJwk, alg)) as CryptoKey;
  return { kid: privateJwk.kid, alg, privateKey, publicKey, privateJwk, publicJwk };
}

function publicPart(jwk: JWK): JWK {
  const { kty, crv, x, y, n, e, kid, alg } = jwk;
  const out: JWK = { kty, kid, alg, use: 'sig' };
  if (kty === 'EC') Object.assign(out, { crv, x, y });
  else Object.assign(out, { n, e });
  return out;
}

/** Load the key, else create one; the re-read after saving returns whichever key won a race. */
export async function loadOrCreateSigningKey(store: SigningKeyStore, alg: SigningAlg = 'ES256'): Promise<KeyPair> {
  const existing = await store.load();
  if (existing) return existing;
  await store.save(await generateSigningKey(alg));
  const winner = await store.load();
  if (!winner) throw new Error('signing key: saved but could not be read back');
  return winner;
}

export const SIGNING_KEY_FILE = 'signing-key.json';

/**
 * `<dataDir>/signing-key.json`, mode 0600. Used with embedded PGlite: it admits one process, so
 * `sinew token` reads the key from this file while `sinew serve` holds the database.
 */
export function fileSigningKeyStore(dataDir: string): SigningKeyStore {
  const file = path.join(dataDir, SIGNING_KEY_FILE);
  return {
    async load() {
      let text: string;
      try {
        text = await fs.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
      return keyPairFromJwk(JSON.parse(text) as JWK);
    },
    async save(key) {
      await fs.mkdir(dataDir, { recursive: true });
      const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      await fs.writeFile(tmp, `${JSON.stringify(key.privateJwk)}\n`, { mode: 0o600, flag: 'wx' });
      try {
        // link(2), unlike rename(2), never replaces: the first complete file wins and readers never see half a file.
        await fs.link(tmp, file);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      } finally {
        await fs.rm(tmp, { force: true });
      }
    },
  };
}

/** An arbitrary constant: serialises key creation across every process sharing the server. */
const KEY_CREATION_LOCK = 727_275;

/**
 * Table `signing_key`, for a real PostgreSQL server that every process can reach. The oldest row is
 * the key; creation holds an advisory lock so two processes starting together end with one key.
 */
export function databaseSigningKeyStore(db: Db): SigningKeyStore {
  return {
    async load() {
      const row = await db.selectFrom('signing_key').select(['private_jwk']).orderBy('created_at').orderBy('kid').limit(1).executeTakeFirst();
      if (!row) return undefined;
      const jwk = typeof row.private_jwk === 'string' ? (JSON.parse(row.private_jwk) as JWK) : (row.private_jwk as JWK);
      return keyPairFromJwk(jwk);
    },
    async save(key) {
      await db.transaction().execute(async (trx) => {
        // kid differs per generated key, so ON CONFLICT alone cannot stop a second key: the lock does.
        await sql`SELECT pg_advisory_xact_lock(${KEY_CREATION_LOCK})`.execute(trx);
        const any = await trx.selectFrom('signing_key').select('kid').limit(1).executeTakeFirst();
        if (any) return;
        await trx
          .insertInto('signing_key')
          .values({ kid: key.kid, private_jwk: JSON.stringify(key.privateJwk) })
          .onConflict((oc) => oc.column('kid').doNothing())
          .execute();
      });
    },
  };
}

/** For tests and `--data-dir memory`: lives as long as the object. */
export function memorySigningKeyStore(): SigningKeyStore {
  let key: KeyPair | undefined;
  return {
    load: async () => key,
    save: async (k) => {
      key ??= k;
    },
  };
}

/**
 * The store a deployment uses: the database on a real server (every process reaches it), else the
 * file beside the PGlite data; an in-memory database keeps its key in that database.
 */
export function signingKeyStoreFor(config: { databaseUrl?: string; dataDir: string }, db?: Db): SigningKeyStore {
  if (config.databaseUrl) {
    if (!db) throw new Error('signing key: a database URL is set, so the key store needs that database');
    return databaseSigningKeyStore(db);
  }
  if (config.dataDir === 'memory') return db ? databaseSigningKeyStore(db) : memorySigningKeyStore();
  return fileSigningKeyStore(config.dataDir);
}
