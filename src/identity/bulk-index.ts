import type { Patient } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { OperationOutcomeError, invalidIssue } from '../fhir/outcomes.js';
import { planBatch, type BulkRecord } from './bulk-link.js';
import { readSnapshot } from './bulk-snapshot.js';
import { writePlan } from './bulk-write.js';
import { DEFAULT_SURVIVORSHIP } from './golden-record.js';
import { DEFAULT_MAX_BLOCK_SIZE, type IdentityDeps } from './identity-deps.js';
import { inTransaction } from './link-store.js';
import { indexSourcePatient, type IndexMeta, type LinkDecision } from './patient-index.repository.js';
import { personFromPatient } from './person.js';

export interface BulkIndexOptions {
  /** Records per transaction (default 2,000). */
  batchSize?: number;
  /** Called after each committed batch with its decisions, in input order. */
  onBatch?: (decisions: readonly LinkDecision[]) => void | Promise<void>;
}

export interface BulkIndexSummary {
  records: number;
  batches: number;
  newGoldens: number;
  matched: number;
  review: number;
  possibleDuplicates: number;
  /** Records already in the index (updates): indexed one at a time inside their batch. */
  updates: number;
  skippedBlocks: number;
  /** Wall time spent reading snapshots, linking in memory and writing, in milliseconds. */
  millis: { snapshot: number; link: number; write: number };
}

export const DEFAULT_BULK_BATCH = 2000;

/**
 * Index many source Patients with the decisions indexSourcePatient would take for them one at a
 * time in the same order, at a fraction of the cost: per batch, one snapshot of what the stored
 * index can reach (a few set-based queries), linking in memory (bulk-link.ts), then one multi-row
 * statement per table, all in one transaction. A record already in the index (an update) is
 * handed to indexSourcePatient in place, so MANUAL links, do-not-match instructions and link
 * history behave exactly as on the one-at-a-time path. Concurrency: the batch holds
 * `SHARE ROW EXCLUSIVE` on mpi_source, so concurrent indexSourcePatient calls (which insert into
 * it before searching) wait for the batch and then see it, like waiting on its advisory locks.
 */
export async function bulkIndexSourcePatients(
  db: Db,
  patients: Iterable<Patient> | AsyncIterable<Patient>,
  meta: IndexMeta,
  deps: IdentityDeps,
  opts: BulkIndexOptions = {},
): Promise<BulkIndexSummary> {
  const size = opts.batchSize ?? DEFAULT_BULK_BATCH;
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`bulk index batch size must be a positive integer, got ${size}`);
  const summary: BulkIndexSummary = { records: 0, batches: 0, newGoldens: 0, matched: 0, review: 0, possibleDuplicates: 0, updates: 0, skippedBlocks: 0, millis: { snapshot: 0, link: 0, write: 0 } };
  let batch: Patient[] = [];
  const flush = async () => {
    const decisions = await indexBatch(db, batch, summary.records, meta, deps, summary);
    summary.records += batch.length;
    summary.batches++;
    for (const d of decisions) {
      if (d.newGolden) summary.newGoldens++;
      if (d.state === 'MATCH') summary.matched++;
      else summary.review++;
      summary.possibleDuplicates += d.possibleDuplicates.length;
      summary.skippedBlocks += d.skippedBlocks;
    }
    batch = [];
    await opts.onBatch?.(decisions);
  };
  for await (const p of patients) {
    batch.push(p);
    if (batch.length >= size) await flush();
  }
  if (batch.length) await flush();
  return summary;
}

async function indexBatch(db: Db, patients: readonly Patient[], offset: number, meta: IndexMeta, deps: IdentityDeps, summary: BulkIndexSummary): Promise<LinkDecision[]> {
  patients.forEach((p, n) => {
    if (!p.id) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [invalidIssue(`record ${offset + n + 1} of the bulk load: a source Patient needs an id to be indexed`, 'Patient.id')] });
  });
  const profile = deps.survivorship ?? DEFAULT_SURVIVORSHIP;
  const cap = deps.maxBlockSize ?? DEFAULT_MAX_BLOCK_SIZE;
  return inTransaction(db, async (trx) => {
    await sql`LOCK TABLE mpi_source IN SHARE ROW EXCLUSIVE MODE`.execute(trx);
    const recordedAt = meta.recordedAt ?? new Date();
    const ids = patients.map((p) => p.id as string);
    const stored = new Set((await trx.selectFrom('mpi_source').select('id').where('id', 'in', ids).execute()).map((r) => r.id));
    const decisions: LinkDecision[] = [];
    let run: BulkRecord[] = [];
    const seen = new Set<string>();
    const linkRun = async () => {
      if (!run.length) return;
      const t0 = performance.now();
      const snapshot = await readSnapshot(trx, run.map((r) => r.person), deps.model, cap);
      const t1 = performance.now();
      const plan = planBatch(run, snapshot, deps, profile, cap);
      const t2 = performance.now();
      await writePlan(trx, plan, meta.at, recordedAt, profile, meta.by);
      summary.millis.snapshot += t1 - t0;
      summary.millis.link += t2 - t1;
      summary.millis.write += performance.now() - t2;
      decisions.push(...plan.decisions);
      if (plan.skippedBlocks) deps.logger?.warn({ skippedBlocks: plan.skippedBlocks, records: run.length, cap }, 'mpi bulk blocking: oversized blocks skipped');
      run = [];
    };
    for (const patient of patients) {
      const id = patient.id as string;
      if (stored.has(id) || seen.has(id)) {
        // An update sees the batch so far as committed rows, as it would one at a time.
        await linkRun();
        decisions.push(await indexSourcePatient(trx, patient, { ...meta, recordedAt }, deps));
        summary.updates++;
        stored.add(id);
        continue;
      }
      seen.add(id);
      run.push({ id, patient, person: personFromPatient(patient, deps.reference) });
    }
    await linkRun();
    return decisions;
  });
}
