import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { DATASETS } from '../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../test/support/test-database.js';
import { TRAINING_RULES } from './blocking.js';
import { readFebrl } from './eval/febrl.js';
import { runEvaluation } from './eval/run-evaluation.js';
import { evaluateClusters } from './evaluate.js';
import { testIdentityDeps } from './mpi.fixtures.js';
import { indexSourcePatient } from './patient-index.repository.js';
import { personFromPatient } from './person.js';
import { seededRandom, shuffled } from './random.js';
import { trainModel } from './train.js';

const base = testIdentityDeps();
// Entities 0–499 of FEBRL4: 1,000 records, 500 true pairs (one in 4a, one in 4b).
const labelled = shuffled(
  [...readFebrl(path.join(DATASETS, 'febrl/dataset4a.csv'), 'a'), ...readFebrl(path.join(DATASETS, 'febrl/dataset4b.csv'), 'b')].filter((l) => Number(l.truth) < 500),
  seededRandom(7),
);
const model = trainModel(labelled.map((l) => personFromPatient(l.patient, base.reference)), { blockingRules: TRAINING_RULES, randomPairs: 200_000, seed: 42, maxIterations: 50 }, base.model);
const deps = { ...base, model };

describe.each(ENGINES)('FEBRL4 subset through the database (%s)', (engine) => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await database.close();
  });

  it('meets the in-memory reference linker on the same records, model and order', async () => {
    expect(labelled).toHaveLength(1000);
    const memory = runEvaluation('febrl4-subset', labelled, base.reference, model, { train: false });
    const at = new Date('2025-01-01T00:00:00Z');
    for (const l of labelled) await indexSourcePatient(database.db, l.patient, { at }, deps);
    const rows = await database.db.selectFrom('mpi_link').select(['source_id', 'golden_id', 'state']).where('state', 'in', ['MATCH', 'POSSIBLE_MATCH']).where('recorded_to', 'is', null).where('valid_to', 'is', null).execute();
    const of = new Map(rows.map((r) => [r.source_id as string, r.state === 'MATCH' ? r.golden_id : `review:${r.source_id}`]));
    const metrics = evaluateClusters(labelled.map((l) => l.truth), labelled.map((l) => of.get(l.patient.id as string) ?? 'missing'));
    expect(metrics.f1).toBeGreaterThanOrEqual(Math.min(0.99, memory.metrics.f1 - 0.005));
    expect(metrics.falseMergeClusters).toBeLessThanOrEqual(memory.metrics.falseMergeClusters);
  }, 300_000);
});
