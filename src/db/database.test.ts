import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { ENGINES, createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { isSchemaCurrent } from './migrator.js';

describe.each(ENGINES)('database on %s', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database?.close());

  it('is migrated, with the matching extensions', async () => {
    expect(await isSchemaCurrent(database.db)).toBe(true);
    const { rows } = await sql<{ s: number; d: string }>`SELECT similarity('SMITH', 'SMYTH')::float8 AS s, dmetaphone('SMITH') AS d`.execute(database.db);
    expect(rows[0]).toEqual({ s: expect.closeTo(0.333, 2), d: 'SM0' });
  });

  it('isolates transactions: a rollback is lost from neither engine', async () => {
    const run = (n: number, fail: boolean) =>
      database.db.transaction().execute(async (trx) => {
        await trx.insertInto('signing_key').values({ kid: `k${n}`, private_jwk: '{}' }).execute();
        if (fail) throw new Error('boom');
      });
    const results = await Promise.allSettled([run(1, false), run(2, true), run(3, false)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const kids = await database.db.selectFrom('signing_key').select('kid').orderBy('kid').execute();
    expect(kids.map((k) => k.kid)).toEqual(['k1', 'k3']);
  });
});
