import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type { Patient } from '@medplum/fhirtypes';
import { DATASETS } from '../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import type { Db } from '../db/database.js';
import { TRAINING_RULES } from './blocking.js';
import { bulkIndexSourcePatients } from './bulk-index.js';
import { readFebrl } from './eval/febrl.js';
import type { IdentityDeps } from './identity-deps.js';
import { ANNA, BORIS, MRN, NHS, patient, testIdentityDeps } from './mpi.fixtures.js';
import { indexSourcePatient, type LinkDecision } from './patient-index.repository.js';
import { personFromPatient } from './person.js';
import { seededRandom, shuffled } from './random.js';
import { trainModel } from './train.js';

const base = testIdentityDeps();
const at = new Date('2025-01-01T00:00:00Z');

/**
 * Everything the index holds, with golden ids replaced by the smallest source id linked to them,
 * so two databases that took the same decisions compare equal whatever uuids they drew.
 */
async function indexState(db: Db) {
  const links = await db.selectFrom('mpi_link').selectAll().orderBy('id').execute();
  const current = links.filter((l) => l.recorded_to === null && l.valid_to === null);
  const label = new Map<string, string>();
  for (const l of current) if (l.source_id && (!label.has(l.golden_id) || l.source_id < (label.get(l.golden_id) as string))) label.set(l.golden_id, l.source_id);
  const name = (g: string | null) => (g === null ? null : (label.get(g) ?? `unlinked:${g}`));
  const sources = current
    .filter((l) => l.source_id)
    .map((l) => ({ source: l.source_id, golden: name(l.golden_id), state: l.state, how: l.how, rule: l.rule, score: l.score?.toFixed(9), explanation: l.explanation }))
    .sort((a, b) => ((a.source as string) < (b.source as string) ? -1 : 1));
  const flags = current.filter((l) => l.state === 'POSSIBLE_DUPLICATE').map((l) => [name(l.golden_id), name(l.other_golden_id)].sort().join(' ~ ')).sort();
  const history = links.filter((l) => l.source_id).map((l) => `${l.source_id}:${l.state}:${l.recorded_to === null}`).sort();
  const goldens = (await db.selectFrom('mpi_golden').select(['id', 'resource', 'version', 'active']).execute())
    .filter((g) => label.has(g.id))
    .map((g) => ({ golden: name(g.id), version: g.version, active: g.active, resource: JSON.stringify(g.resource).replaceAll(g.id, name(g.id) as string) }))
    .sort((a, b) => ((a.golden as string) < (b.golden as string) ? -1 : 1));
  const terms = await db.selectFrom('mpi_term_frequency').select(['comparison', 'term', 'count']).where('term', 'not like', '#total:%').orderBy(['comparison', 'term']).execute();
  const totals = await db.selectFrom('mpi_term_frequency').select(['comparison', (eb) => eb.fn.sum<number>('count').as('n')]).where('term', 'like', '#total:%').groupBy('comparison').orderBy('comparison').execute();
  return { sources, flags, history, goldens, terms, totals: totals.map((t) => `${t.comparison}:${Number(t.n)}`) };
}

/** Golden ids of decisions, named as indexState names them. */
function decisionShape(decisions: readonly LinkDecision[]) {
  const label = new Map<string, string>();
  for (const d of decisions) if (!label.has(d.goldenId)) label.set(d.goldenId, d.sourceId);
  return decisions.map((d) => ({ ...d, goldenId: label.get(d.goldenId), possibleDuplicates: d.possibleDuplicates.length }));
}

describe.each(ENGINES)('bulk linking takes the one-at-a-time decisions (%s)', (engine) => {
  let single: TestDatabase;
  let bulk: TestDatabase;
  beforeAll(async () => {
    single = await createTestDatabase(engine);
    bulk = await createTestDatabase(engine);
  }, 120_000);
  afterAll(async () => {
    await single?.close();
    await bulk?.close();
  });

  /** Index `records` one at a time in `single`; in `bulk`, the first `head` one at a time and the rest in bulk. */
  async function both(records: readonly Patient[], head: number, deps: IdentityDeps, batchSize: number) {
    const one: LinkDecision[] = [];
    for (const p of records) one.push(await indexSourcePatient(single.db, p, { at }, deps));
    const many: LinkDecision[] = [];
    for (const p of records.slice(0, head)) many.push(await indexSourcePatient(bulk.db, p, { at }, deps));
    const summary = await bulkIndexSourcePatients(bulk.db, records.slice(head), { at }, deps, { batchSize, onBatch: (d) => void many.push(...d) });
    return { one, many, summary };
  }

  it('gives the same clusters, states, scores, explanations, goldens and history on FEBRL4 entities 0–299', async () => {
    const labelled = shuffled(
      [...readFebrl(path.join(DATASETS, 'febrl/dataset4a.csv'), 'a'), ...readFebrl(path.join(DATASETS, 'febrl/dataset4b.csv'), 'b')].filter((l) => Number(l.truth) < 300),
      seededRandom(11),
    );
    const model = trainModel(labelled.map((l) => personFromPatient(l.patient, base.reference)), { blockingRules: TRAINING_RULES, randomPairs: 100_000, seed: 42, maxIterations: 50 }, base.model);
    const records = labelled.map((l) => l.patient);
    // Re-sent records (updates, one with a changed surname) go through the one-at-a-time path inside a batch.
    const resent = [records[5] as Patient, { ...(records[40] as Patient), name: [{ family: 'Zzyzx', given: ['Quentin'] }] }];
    const sequence = [...records.slice(0, 250), resent[0] as Patient, ...records.slice(250, 420), resent[1] as Patient, ...records.slice(420)];
    const { one, many, summary } = await both(sequence, 150, { ...base, model }, 97);

    expect(summary).toMatchObject({ records: sequence.length - 150, updates: 2 });
    expect(decisionShape(many)).toEqual(decisionShape(one));
    const [a, b] = [await indexState(single.db), await indexState(bulk.db)];
    expect(b.sources).toHaveLength(600);
    expect(b).toEqual(a);
    // The subset has true pairs: the comparison is not between two indexes of singletons.
    expect(new Set(a.sources.map((s) => s.golden)).size).toBeLessThan(450);
  }, 600_000);

  it('keeps the block cap (the record counts in its own blocks), identifier rules, placeholders and duplicate flags', async () => {
    const people: Patient[] = [];
    // Seven Hallorans born 1950: their family-phonetic + year block passes a cap of 4 part-way through.
    for (let i = 0; i < 7; i++) people.push(patient(`cap-${i}`, { given: ['Ann', 'Bea', 'Cid', 'Dot', 'Eli', 'Fay', 'Gus'][i], family: 'Halloran', birthDate: `1950-0${1 + (i % 9)}-1${i}`, postcode: `70${i}`, phone: `055500010${i}` }));
    people.push(patient('nhs-1', { ...ANNA, ids: [[NHS, '9434765919']] }));
    people.push(patient('nhs-2', { ...BORIS, ids: [[NHS, '9434765870']] }));
    // Carries both goldens' unique identifiers: a conflict for review plus a POSSIBLE_DUPLICATE flag.
    people.push(patient('nhs-3', { ...ANNA, ids: [[NHS, '9434765919'], [NHS, '9434765870']] }));
    people.push(patient('mrn-1', { given: 'Carl', family: 'Ostrander', birthDate: '1990-01-01', ids: [[MRN, 'M-1001']] }));
    people.push(patient('mrn-2', { given: 'Wilhelmina', family: 'Abara', birthDate: '1944-12-30', gender: 'female', ids: [[MRN, 'M-1001']] }));
    people.push(patient('baby-1', { given: 'Baby Boy', family: 'Nguyen', birthDate: '2024-05-01', gender: 'male', postcode: '2000', phone: '0400000001' }));
    people.push(patient('baby-2', { given: 'Baby Boy', family: 'Nguyen', birthDate: '2024-05-01', gender: 'male', postcode: '2000', phone: '0400000001' }));
    people.push(patient('anna-again', { ...ANNA }));
    people.push(patient('cap-3', { given: 'Dorothy', family: 'Halloran', birthDate: '1950-04-13', postcode: '703', phone: '0555000103' }));
    const deps = { ...base, maxBlockSize: 4 };
    const { one, many, summary } = await both(people, 2, deps, 5);

    expect(summary.updates).toBe(1);
    expect(summary.skippedBlocks).toBeGreaterThan(0);
    expect(decisionShape(many)).toEqual(decisionShape(one));
    expect(await indexState(bulk.db)).toEqual(await indexState(single.db));
    expect(one.find((d) => d.sourceId === 'nhs-3')).toMatchObject({ state: 'POSSIBLE_MATCH', rule: 'unique-identifier-conflict' });
    expect(one.some((d) => d.skippedBlocks > 0)).toBe(true);
  }, 300_000);

  it('refuses a record without an id, saying which one', async () => {
    await expect(bulkIndexSourcePatients(bulk.db, [patient('ok-1', BORIS), { resourceType: 'Patient' }], { at }, base)).rejects.toThrow(/record 2 of the bulk load/);
  });
});
