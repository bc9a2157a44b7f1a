import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import type { ResourceSource } from '../db/tables/fhir-resource.table.js';
import { normalizeOperationOutcome, OperationOutcomeError } from '../fhir/outcomes.js';
import { deleteResource, readResource } from '../fhir/resource.repository.js';
import { applyEntry } from './apply-entry.js';
import { atEntry, planEntry, referenceMap, rewriteReferences, type IdPolicy, type PlannedEntry } from './fhir-entry-plan.js';
import type { ResourceObserver } from './resource-observer.js';

export const FHIR_SOURCE_KINDS = ['fhir-api', 'fhir-file', 'fhir-pull'] as const;
export type FhirSourceKind = (typeof FHIR_SOURCE_KINDS)[number];

/** Where FHIR came from. File and pull are backfills: the timeline takes availability from the resource's own times. */
export interface FhirSource {
  kind: FhirSourceKind;
  /** File path (import) or upstream URL (pull), kept with each stored version. */
  url?: string;
}

/** What became of one entry: the counts of `sinew import` and `sinew pull` are these. */
export const ENTRY_RESULTS = ['accepted', 'duplicate', 'rejected', 'error', 'read', 'deleted'] as const;
export type EntryResultKind = (typeof ENTRY_RESULTS)[number];

export interface EntryResult {
  index: number;
  result: EntryResultKind;
  /** The response entry's content for accepted, duplicate, read and deleted entries. */
  stored?: { type: string; id: string; versionId?: string; resource?: Resource; created: boolean };
  /** Why a rejected or failed entry was not stored; every issue names `Bundle.entry[index]`. */
  outcome?: OperationOutcome;
}

export interface IngestResult {
  /** `transaction`: every entry was stored, or the call threw. `batch`: entry by entry. */
  mode: 'transaction' | 'batch';
  entries: EntryResult[];
}

/** Codes `duplicate` etc. in a batch-response entry's informational outcome (POST /fhir → remote import). */
export const INGEST_RESULT_SYSTEM = 'https://sinew.dev/fhir/CodeSystem/ingest-result';

/** The SMART scope check of the caller (API), per type and interaction; throws `forbidden`. */
export type Authorize = (type: string, interaction: 'c' | 'r' | 'u' | 'd') => void;

export interface FhirIngest {
  /**
   * A lone resource, or a Bundle: `transaction` all-or-nothing in one database transaction (throws
   * an OperationOutcomeError naming the first bad entry, nothing stored); every other type entry by
   * entry, each in its own transaction with its own result.
   */
  ingest(input: Resource, source: FhirSource, opts?: { authorize?: Authorize }): Promise<IngestResult>;
}

export interface FhirIngestDeps {
  db: Db;
  observers: readonly ResourceObserver[];
  now?: () => Date;
}

const INTERACTION = { GET: 'r', POST: 'c', PUT: 'u', DELETE: 'd' } as const;

/** Issue codes that mean the input was at fault (rejected), not the server (error). */
const CLIENT_CODES = new Set(['invalid', 'structure', 'required', 'value', 'invariant', 'not-supported', 'forbidden', 'not-found', 'deleted', 'conflict', 'duplicate', 'too-long', 'business-rule', 'processing']);

/**
 * FHIR that arrives as FHIR goes the way mapped HL7v2 goes (hl7v2-pipeline.handler.ts): validated
 * and stored as a new version (applyEntry → putResource), then every observer (identity, timeline…)
 * in the same transaction, so an entry's effects exist exactly when it is stored.
 * See: https://hl7.org/fhir/R4/http.html#transaction
 */
export function createFhirIngest(deps: FhirIngestDeps): FhirIngest {
  const now = deps.now ?? (() => new Date());

  const store = async (trx: Db, p: PlannedEntry, source: FhirSource, receivedAt: Date): Promise<EntryResult> => {
    const stored: ResourceSource = { kind: source.kind, ...(source.url ? { url: source.url } : {}) };
    if (p.method === 'GET') {
      return { index: p.index, result: 'read', stored: { type: p.type, id: p.id, resource: await readResource(trx, p.type, p.id), created: false } };
    }
    if (p.method === 'DELETE') {
      const d = await deleteResource(trx, p.type, p.id, { source: stored });
      return { index: p.index, result: 'deleted', stored: { type: p.type, id: p.id, ...(d.versionId ? { versionId: d.versionId } : {}), created: false } };
    }
    const applied = await applyEntry(trx, p.resource as Resource, stored);
    if (!applied) return { index: p.index, result: 'duplicate', stored: { type: p.type, id: p.id, created: false } };
    const event = { kind: source.kind, receivedAt, backfill: source.kind !== 'fhir-api' };
    for (const observer of deps.observers) await observer.onStored({ trx, ...applied, source: event });
    return {
      index: p.index,
      result: applied.changed ? 'accepted' : 'duplicate',
      stored: { type: p.type, id: p.id, versionId: applied.versionId, resource: applied.resource, created: applied.changed && applied.versionId === '1' },
    };
  };

  const transaction = async (bundle: Bundle, source: FhirSource, ids: IdPolicy, authorize?: Authorize): Promise<IngestResult> => {
    const entries = bundle.entry ?? [];
    const planned = entries.map((e, i) => planEntry(e, i, ids));
    const writes = planned.filter((p): p is PlannedEntry => p !== 'skip');
    for (const p of writes) authorize?.(p.type, INTERACTION[p.method]);
    const refs = referenceMap(entries, planned);
    for (const p of writes) if (p.resource) p.resource = rewriteReferences(p.resource, refs, p.index);
    const receivedAt = now();
    const results = await deps.db.transaction().execute(async (trx) => {
      const done: EntryResult[] = [];
      // A fault of the server (not an OperationOutcome) propagates as it is: it is not the entry's fault.
      for (const p of writes) done.push(await store(trx, p, source, receivedAt).catch((err: unknown) => Promise.reject(err instanceof OperationOutcomeError ? atEntry(err, p.index) : err)));
      return done;
    });
    return { mode: 'transaction', entries: results };
  };

  const batch = async (bundle: Bundle, source: FhirSource, ids: IdPolicy, authorize?: Authorize): Promise<IngestResult> => {
    const entries = bundle.entry ?? [];
    const planned: (PlannedEntry | 'skip' | undefined)[] = [];
    const out: EntryResult[] = [];
    for (const [i, e] of entries.entries()) {
      try {
        planned[i] = planEntry(e, i, ids);
      } catch (err) {
        out[i] = failed(err, i);
      }
    }
    const refs = referenceMap(entries, planned);
    for (const [i, p] of planned.entries()) {
      if (!p || p === 'skip') continue;
      try {
        authorize?.(p.type, INTERACTION[p.method]);
        if (p.resource) p.resource = rewriteReferences(p.resource, refs, i);
        const receivedAt = now();
        out[i] = await deps.db.transaction().execute((trx) => store(trx, p, source, receivedAt));
      } catch (err) {
        out[i] = failed(err, i);
      }
    }
    return { mode: 'batch', entries: out.filter((r): r is EntryResult => r !== undefined) };
  };

  return {
    async ingest(input, source, opts = {}) {
      // Only a transaction or batch carries requests; anything else holds resources that keep their ids.
      if (input.resourceType !== 'Bundle') return batch({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: input }] }, source, 'sender', opts.authorize);
      const bundle = input as Bundle;
      const ids: IdPolicy = source.kind === 'fhir-api' && (bundle.type === 'transaction' || bundle.type === 'batch') ? 'server' : 'sender';
      return bundle.type === 'transaction' ? transaction(bundle, source, ids, opts.authorize) : batch(bundle, source, ids, opts.authorize);
    },
  };
}

function failed(err: unknown, index: number): EntryResult {
  if (!(err instanceof OperationOutcomeError)) {
    const text = `Bundle.entry[${index}]: the server could not store this entry`;
    return { index, result: 'error', outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'exception', details: { text }, expression: [`Bundle.entry[${index}]`] }] } };
  }
  const outcome = atEntry(err, index).outcome;
  const code = outcome.issue?.[0]?.code;
  return { index, result: code && CLIENT_CODES.has(code) ? 'rejected' : 'error', outcome };
}

/** A failed transaction, as the one entry it names and its outcome (for import/pull summaries). */
export function transactionFailure(err: unknown): { index?: number; outcome: OperationOutcome } {
  const outcome = err instanceof OperationOutcomeError ? err.outcome : normalizeOperationOutcome(err);
  const m = /^Bundle\.entry\[(\d+)\]/.exec(outcome.issue?.[0]?.details?.text ?? '');
  return { ...(m ? { index: Number(m[1]) } : {}), outcome };
}

