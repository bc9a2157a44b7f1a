import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { PGLITE_EXTENSIONS, openDatabase, type Database, type Engine } from '../../src/db/database.js';
import { MIGRATIONS_DIR, migrateToLatest } from '../../src/db/migrator.js';
import type { Tables } from '../../src/db/tables/index.js';

/**
 * Every database test runs on embedded PGlite, and also on a real PostgreSQL server when
 * TEST_DATABASE_URL is set (CI sets it). Use: `describe.each(ENGINES)('%s', (engine) => …)`.
 */
export const ENGINES: Engine[] = ['pglite', ...(process.env.TEST_DATABASE_URL ? (['postgres'] as const) : [])];

export interface TestDatabase extends Database {
  /** The URL of the database on a real server (for child processes), undefined on PGlite. */
  readonly url?: string;
}

/** Migration files' hash: a template is rebuilt whenever a migration changes. */
function schemaHash(): string {
  const h = createHash('sha256');
  for (const f of fs.readdirSync(MIGRATIONS_DIR).sort()) h.update(f).update(fs.readFileSync(path.join(MIGRATIONS_DIR, f)));
  return h.digest('hex').slice(0, 16);
}

/** A fresh, migrated, isolated database for one test file. */
export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  return engine === 'pglite' ? createPgliteDatabase() : createPostgresDatabase();
}

async function createPgliteDatabase(): Promise<TestDatabase> {
  // A fresh PGlite runs initdb (4–10 s); starting from a migrated dump takes about a second.
  const file = path.join(os.tmpdir(), `sinew-pglite-template-${schemaHash()}.tar.gz`);
  if (!fs.existsSync(file)) {
    const lite = await PGlite.create({ extensions: PGLITE_EXTENSIONS });
    const db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool: new pg.Pool(createPgConfig(lite)) }) });
    await migrateToLatest(db);
    await db.destroy();
    const dump = await lite.dumpDataDir('gzip');
    await lite.close();
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    fs.renameSync(tmp, file);
  }
  const database = await openDatabase({ dataDir: 'memory', loadDataDir: new Blob([fs.readFileSync(file)]) });
  await migrateToLatest(database.db);
  return database;
}

async function createPostgresDatabase(): Promise<TestDatabase> {
  const serverUrl = new URL(process.env.TEST_DATABASE_URL as string);
  const template = `sinew_tpl_${schemaHash()}`;
  const name = `sinew_t_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const admin = new pg.Client({ connectionString: serverUrl.href });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(727274)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE ${template}`);
      const tplUrl = withDatabase(serverUrl, template);
      const tpl = await openDatabase({ databaseUrl: tplUrl, dataDir: 'memory', poolSize: 1 });
      await migrateToLatest(tpl.db);
      await tpl.close();
    }
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    await admin.query('SELECT pg_advisory_unlock(727274)');
  } finally {
    await admin.end();
  }
  const url = withDatabase(serverUrl, name);
  const database = await openDatabase({ databaseUrl: url, dataDir: 'memory' });
  return {
    ...database,
    url,
    async close() {
      await database.close();
      const dropper = new pg.Client({ connectionString: serverUrl.href });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await dropper.end();
    },
  };
}

function withDatabase(url: URL, name: string): string {
  const u = new URL(url.href);
  u.pathname = `/${name}`;
  return u.href;
}
