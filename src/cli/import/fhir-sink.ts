import type { Bundle, BundleEntry, OperationOutcome, Resource } from '@medplum/fhirtypes';
import type { Core } from '../../app.js';
import { outcomeToLine } from '../../fhir/outcomes.js';
import { INGEST_RESULT_SYSTEM, transactionFailure, type EntryResultKind, type FhirSource } from '../../pipeline/fhir-ingest.js';
import { emptyCounts, type ImportCounts } from './import-sink.js';

/** A rejected or failed entry, named by where it came from (`file entry 3`, `file line 7`). */
export type ProblemReporter = (label: string, result: 'rejected' | 'error', text: string) => void;

/**
 * Where `sinew import` and `sinew pull` send FHIR: the local database through the ingest service, or
 * a running server's `POST /fhir`. Each Bundle is processed before `send` returns; `counts` are the
 * summary's figures per resource.
 */
export interface FhirSink {
  send(bundle: Bundle, labels: readonly string[]): Promise<void>;
  counts(): ImportCounts;
}

/** Through `core.fhirIngest` in this process. */
export function localFhirSink(core: Pick<Core, 'fhirIngest'>, source: FhirSource, report: ProblemReporter): FhirSink {
  const counts = emptyCounts();
  return {
    async send(bundle, labels) {
      try {
        const result = await core.fhirIngest.ingest(bundle as Resource, source);
        for (const e of result.entries) tally(counts, e.result, labels[e.index] ?? `entry ${e.index}`, e.outcome, report);
      } catch (err) {
        failTransaction(counts, err, bundle, labels, report);
      }
    },
    counts: () => ({ ...counts }),
  };
}

/**
 * Through a running `sinew serve` (PGlite admits one process): `POST /fhir` with a batch Bundle (or
 * the transaction as it is), marked as a backfill by the `x-sinew-source` header.
 */
export function remoteFhirSink(baseUrl: string, token: string, source: FhirSource, report: ProblemReporter): FhirSink {
  const counts = emptyCounts();
  return {
    async send(bundle, labels) {
      const transaction = bundle.type === 'transaction';
      const body: Bundle = transaction ? bundle : { resourceType: 'Bundle', type: 'batch', entry: (bundle.entry ?? []).map(withRequest) };
      const res = await fetch(`${baseUrl}/fhir`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/fhir+json', 'x-sinew-source': source.kind },
        body: JSON.stringify(body),
      });
      const answer = (await res.json().catch(() => undefined)) as Bundle | OperationOutcome | undefined;
      if (answer?.resourceType === 'OperationOutcome' && res.status < 500 && transaction) {
        return failTransaction(counts, answer, bundle, labels, report);
      }
      if (!res.ok || answer?.resourceType !== 'Bundle') {
        throw new Error(`the server answered ${res.status} to POST /fhir${answer?.resourceType === 'OperationOutcome' ? `: ${outcomeToLine(answer)}` : ''}`);
      }
      (answer.entry ?? []).forEach((e, i) => tally(counts, resultOf(e), labels[i] ?? `entry ${i}`, e.response?.outcome as OperationOutcome | undefined, report));
    },
    counts: () => ({ ...counts }),
  };
}

function tally(counts: ImportCounts, result: EntryResultKind, label: string, outcome: OperationOutcome | undefined, report: ProblemReporter): void {
  if (result === 'accepted' || result === 'duplicate' || result === 'rejected' || result === 'error') counts[result]++;
  if ((result === 'rejected' || result === 'error') && outcome) report(label, result, outcomeToLine(outcome));
}

/** A transaction stores nothing when one entry fails: every entry is rejected, the culprit named. */
function failTransaction(counts: ImportCounts, err: unknown, bundle: Bundle, labels: readonly string[], report: ProblemReporter): void {
  const { index, outcome } = transactionFailure(err);
  const culprit = index !== undefined ? (labels[index] ?? `entry ${index}`) : (labels[0] ?? 'transaction');
  report(culprit, 'rejected', `${outcomeToLine(outcome)} (the transaction of ${bundle.entry?.length ?? 0} entries was not stored)`);
  counts.rejected += bundle.entry?.length ?? 0;
}

function withRequest(e: BundleEntry): BundleEntry {
  if (e.request || !e.resource) return e;
  const r = e.resource;
  return { ...e, request: r.id ? { method: 'PUT', url: `${r.resourceType}/${r.id}` } : { method: 'POST', url: r.resourceType } };
}

function resultOf(e: BundleEntry): EntryResultKind {
  const status = Number.parseInt(e.response?.status ?? '', 10);
  if (status >= 200 && status < 300) {
    const dup = e.response?.outcome as OperationOutcome | undefined;
    return dup?.issue?.some((i) => i.details?.coding?.some((c) => c.system === INGEST_RESULT_SYSTEM && c.code === 'duplicate')) ? 'duplicate' : 'accepted';
  }
  return status >= 400 && status < 500 ? 'rejected' : 'error';
}
