import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Patient } from '@medplum/fhirtypes';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { GOLDEN_TAG } from './golden-record.js';
import { currentLinkOf } from './link-store.js';
import { link, unlink } from './merge.js';
import { ANNA, BORIS, MRN, NHS, patient, testIdentityDeps } from './mpi.fixtures.js';
import { indexSourcePatient } from './patient-index.repository.js';

const deps = testIdentityDeps();
const at = new Date('2025-01-01T10:00:00Z');

describe.each(ENGINES)('patient index decisions (%s)', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.close();
  });
  const index = (p: Patient) => indexSourcePatient(database.db, p, { at }, deps);

  it('starts a new golden record for an unknown person, tagged and linked to its source', async () => {
    const d = await index(patient('new-1', ANNA));
    expect(d).toMatchObject({ state: 'MATCH', how: 'AUTO', rule: 'new', newGolden: true });
    const golden = await database.db.selectFrom('mpi_golden').select('resource').where('id', '=', d.goldenId).executeTakeFirstOrThrow();
    const r = golden.resource as unknown as Patient;
    expect(r.meta?.tag).toContainEqual(expect.objectContaining({ code: GOLDEN_TAG.code }));
    expect(r.link).toEqual([{ other: { reference: 'Patient/new-1' }, type: 'seealso' }]);
    expect(r.birthDate).toBe('1971-03-14');
  });

  it('links a second record of the same person AUTO with an explanation, and a stranger to a new golden', async () => {
    const annie = { ...ANNA, given: 'Annie', family: 'Nowak', birthDate: '1982-10-21', phone: '0411111111', postcode: '2601', line: '1 A St' };
    const first = await index(patient('auto-1', annie));
    const second = await index(patient('auto-2', { ...annie, gender: undefined }));
    expect(second).toMatchObject({ goldenId: first.goldenId, state: 'MATCH', how: 'AUTO', rule: 'probabilistic', newGolden: false });
    expect(second.probability).toBeGreaterThan(0.9);
    const row = await currentLinkOf(database.db, 'auto-2');
    expect((row?.explanation as { parts: { comparison: string }[] }).parts.map((p) => p.comparison)).toContain('birth-date');
    const stranger = await index(patient('auto-3', { ...BORIS, given: 'Boris', family: 'Nowak' }));
    expect(stranger.goldenId).not.toBe(first.goldenId);
  });

  it('sends a weakly corroborated record to review as POSSIBLE_MATCH on the best golden; a names-only one stays apart', async () => {
    const first = await index(patient('pm-1', { given: 'Zofia', family: 'Wisniewska', gender: 'female', birthDate: '1980-05-05', postcode: '4000', phone: '0455555555' }));
    // Same name, birth date one day off, another phone: between the thresholds.
    const d = await index(patient('pm-2', { given: 'Zofia', family: 'Wisniewska', gender: 'female', birthDate: '1980-05-06', phone: '0211112222' }));
    expect(d).toMatchObject({ goldenId: first.goldenId, state: 'POSSIBLE_MATCH', rule: 'probabilistic-review' });
    // Names and gender alone score below the review floor (p 0.65): a golden of its own, not a review link.
    const namesOnly = await index(patient('pm-3', { given: 'Zofia', family: 'Wisniewska', gender: 'female' }));
    expect(namesOnly).toMatchObject({ state: 'MATCH', rule: 'new', newGolden: true });
  });

  it('links by the same assigning authority and value, and reviews an identifier whose demographics disagree', async () => {
    const a = await index(patient('id-1', { given: 'Carl', family: 'Ostrander', birthDate: '1990-01-01', ids: [[MRN, 'M-1001']] }));
    const b = await index(patient('id-2', { given: 'Karl', family: 'Ostrander', ids: [[MRN, 'M-1001']] }));
    expect(b).toMatchObject({ goldenId: a.goldenId, state: 'MATCH', rule: 'identifier' });
    const c = await index(patient('id-3', { given: 'Wilhelmina', family: 'Abara', birthDate: '1944-12-30', gender: 'female', ids: [[MRN, 'M-1001']] }));
    expect(c).toMatchObject({ goldenId: a.goldenId, state: 'POSSIBLE_MATCH', rule: 'identifier-disagrees' });
  });

  it('links a unique identifier outright, and a record carrying two goldens\' unique identifiers is a conflict', async () => {
    const a = await index(patient('u-1', { given: 'Dora', family: 'Quist', birthDate: '1966-06-06', ids: [[NHS, '9434765919']] }));
    const b = await index(patient('u-2', { given: 'Ewan', family: 'Rourke', birthDate: '1977-07-07', ids: [[NHS, '9434765870']] }));
    expect(b.goldenId).not.toBe(a.goldenId);
    const outright = await index(patient('u-3', { ids: [[NHS, '9434765919']] }));
    expect(outright).toMatchObject({ goldenId: a.goldenId, state: 'MATCH', rule: 'unique-identifier' });
    const conflict = await index(patient('u-4', { given: 'Dora', family: 'Quist', ids: [[NHS, '9434765919'], [NHS, '9434765870']] }));
    expect(conflict).toMatchObject({ state: 'POSSIBLE_MATCH', rule: 'unique-identifier-conflict' });
    expect(conflict.possibleDuplicates).toHaveLength(1);
    const flags = await database.db.selectFrom('mpi_link').selectAll().where('state', '=', 'POSSIBLE_DUPLICATE').where('recorded_to', 'is', null).execute();
    expect(flags.some((f) => [f.golden_id, f.other_golden_id].sort().join() === [a.goldenId, b.goldenId].sort().join())).toBe(true);
  });

  it('never lets the machine undo a MANUAL link on re-index (A08)', async () => {
    const a = await index(patient('man-1', { given: 'Farah', family: 'Idris', birthDate: '1985-02-02', postcode: '5000', phone: '0466666666' }));
    const b = await index(patient('man-2', { given: 'Gustav', family: 'Holm', birthDate: '1950-09-09', postcode: '6000' }));
    expect(b.goldenId).not.toBe(a.goldenId);
    await link(database.db, 'man-2', a.goldenId, 'steward:alice', { survivorship: deps.survivorship });
    const again = await index(patient('man-2', { given: 'Gustav', family: 'Holm', birthDate: '1950-09-09', postcode: '6001' }));
    expect(again).toMatchObject({ goldenId: a.goldenId, how: 'MANUAL', rule: 'manual-kept' });
    expect(await currentLinkOf(database.db, 'man-2')).toMatchObject({ golden_id: a.goldenId, how: 'MANUAL', state: 'MATCH' });
  });

  it('unlink leaves a do-not-match instruction that a re-index honours', async () => {
    const fields = { given: 'Hana', family: 'Sato', birthDate: '1992-04-04', postcode: '7000', phone: '0477777777' };
    const a = await index(patient('nm-1', fields));
    const b = await index(patient('nm-2', fields));
    expect(b.goldenId).toBe(a.goldenId);
    const { newGoldenId } = await unlink(database.db, 'nm-2', a.goldenId, 'steward:bob', { survivorship: deps.survivorship });
    expect(await currentLinkOf(database.db, 'nm-2')).toMatchObject({ golden_id: newGoldenId, state: 'MATCH' });
    const again = await index(patient('nm-2', fields));
    expect(again.goldenId).toBe(newGoldenId);
    const noMatch = await database.db.selectFrom('mpi_link').select(['state', 'how']).where('source_id', '=', 'nm-2').where('golden_id', '=', a.goldenId).where('recorded_to', 'is', null).execute();
    expect(noMatch).toContainEqual({ state: 'NO_MATCH', how: 'MANUAL' });
  });

  it('flags two goldens that both match strongly as POSSIBLE_DUPLICATE and links POSSIBLE_MATCH, never merging them', async () => {
    const fields = { given: 'Ines', family: 'Moreau', birthDate: '1979-08-08', postcode: '8000', line: '9 Rue Haute', phone: '0488888888' };
    const a = await index(patient('dup-1', fields));
    await index(patient('dup-2', fields));
    const { newGoldenId } = await unlink(database.db, 'dup-2', a.goldenId, 'steward:carol', { survivorship: deps.survivorship });
    const c = await index(patient('dup-3', fields));
    expect(c).toMatchObject({ state: 'POSSIBLE_MATCH', rule: 'probabilistic-duplicate' });
    expect([a.goldenId, newGoldenId]).toContain(c.goldenId);
    expect(c.possibleDuplicates).toEqual([c.goldenId === a.goldenId ? newGoldenId : a.goldenId]);
    const goldens = await database.db.selectFrom('mpi_golden').select('id').where('id', 'in', [a.goldenId, newGoldenId]).where('active', '=', true).execute();
    expect(goldens).toHaveLength(2);
  });

  it('keeps the partial unique index: one current MATCH/POSSIBLE_MATCH per source after many re-indexes', async () => {
    for (let i = 0; i < 3; i++) await index(patient('re-1', { ...BORIS, postcode: `90${i}0` }));
    const rows = await database.db.selectFrom('mpi_link').select('id').where('source_id', '=', 're-1').where('recorded_to', 'is', null).where('valid_to', 'is', null).where('state', 'in', ['MATCH', 'POSSIBLE_MATCH']).execute();
    expect(rows).toHaveLength(1);
  });
});
