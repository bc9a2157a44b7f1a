import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { branchesOf, type SourceKeyColumns } from './blocking.sql.js';

/** Every key present, so every branch of the search is generated. */
const ALL_KEYS: SourceKeyColumns = {
  given_first: 'ANNA',
  family: 'KOWALSKI',
  given_phonetic: 'AN',
  family_phonetic: 'KLSK',
  given_initial: 'A',
  family_initial: 'K',
  birth_date: '1971-03-14',
  birth_year: '1971',
  postcode: '2600',
  phone: '0412345678',
};

describe.each(ENGINES)('indexes the match path reads through (%s)', (engine) => {
  let database: TestDatabase;
  let indexes: { table: string; name: string; columns: string[]; predicate: string | null }[];
  beforeAll(async () => {
    database = await createTestDatabase(engine);
    const { rows } = await sql<{ table: string; name: string; columns: string[]; predicate: string | null }>`
      SELECT t.relname AS table, i.relname AS name, pg_get_expr(x.indpred, x.indrelid) AS predicate,
             array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n) JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
        FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
       WHERE t.relname LIKE 'mpi_%'`.execute(database.db);
    indexes = rows;
  }, 60_000);
  afterAll(async () => {
    await database?.close();
  });

  const leading = (table: string, columns: string[]) => indexes.some((i) => i.table === table && columns.every((c, n) => i.columns[n] === c));

  it('has an index range scan for every blocking branch: a branch\'s first column leads an index of mpi_source', () => {
    const branches = branchesOf(ALL_KEYS);
    expect(branches.length).toBeGreaterThanOrEqual(10);
    for (const b of branches) {
      const columns = b.where.map(([c]) => c as string);
      expect({ branch: b.name, indexed: leading('mpi_source', columns) || leading('mpi_source', columns.slice(0, 1)) }).toEqual({ branch: b.name, indexed: true });
    }
    // The selective two-column branches are served by both columns, not a prefix and a filter.
    for (const columns of [['given_first', 'family'], ['family_phonetic', 'birth_year'], ['given_phonetic', 'birth_date'], ['postcode', 'family_initial'], ['postcode', 'given_initial'], ['family_phonetic', 'given_phonetic']]) {
      expect({ columns, indexed: leading('mpi_source', columns) }).toEqual({ columns, indexed: true });
    }
  });

  it('looks identifiers, links, members and term counts up by index', () => {
    expect(leading('mpi_identifier', ['system', 'value'])).toBe(true);
    expect(indexes.some((i) => i.table === 'mpi_link' && i.columns[0] === 'source_id' && i.predicate?.includes('recorded_to IS NULL'))).toBe(true);
    expect(indexes.some((i) => i.table === 'mpi_link' && i.columns[0] === 'golden_id' && i.predicate?.includes('recorded_to IS NULL'))).toBe(true);
    expect(leading('mpi_term_frequency', ['comparison', 'term'])).toBe(true);
  });
});
