import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock.js';
import type { Tables } from './tables/index.js';

export type Db = Kysely<Tables>;
export type Engine = 'pglite' | 'postgres';

export interface Database {
  readonly db: Db;
  readonly engine: Engine;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl?: string;
  /** PGlite folder, or `memory`. */
  dataDir: string;
  /** A prepared PGlite data directory (tarball) to start from: tests start from a migrated template. */
  loadDataDir?: Blob;
  poolSize?: number;
}

/** PGlite's extensions must be named at creation; these are the ones the migrations enable. */
export const PGLITE_EXTENSIONS = { pg_trgm, fuzzystrmatch };

/**
 * kysely over node-postgres for both engines, so the code path and the result types are the same
 * (notes/packages.md §4): a real server with a URL, else embedded PGlite through its pg bridge.
 */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolSize ?? 10 });
    pool.on('error', () => undefined); // an idle client's network error must not crash the process
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    return { db, engine: 'postgres', close: () => db.destroy() };
  }
  const memory = opts.dataDir === 'memory';
  let lock: DataDirLock | undefined;
  if (!memory) {
    fs.mkdirSync(opts.dataDir, { recursive: true });
    lock = acquireDataDirLock(opts.dataDir);
  }
  try {
    const lite = await PGlite.create({
      ...(memory ? {} : { dataDir: path.join(opts.dataDir, 'pgdata') }),
      ...(opts.loadDataDir ? { loadDataDir: opts.loadDataDir } : {}),
      extensions: PGLITE_EXTENSIONS,
    });
    // PGlite has one connection: the bridge's pool of one serialises transactions, which is what we need.
    const pool = new pg.Pool(createPgConfig(lite));
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    return {
      db,
      engine: 'pglite',
      async close() {
        await db.destroy();
        await lite.close();
        lock?.release();
      },
    };
  } catch (err) {
    lock?.release();
    throw err;
  }
}
