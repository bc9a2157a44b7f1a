import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { OperationOutcomeError } from '../../fhir/outcomes.js';
import type { Modality } from '../../timeline/timeline-event.js';
import type { AlignedBundle } from '../aligned-bundle.types.js';
import { alignedBundleFor, type AlignedBundleDeps } from '../aligned-bundle.service.js';
import { toFhirParameters } from '../to-fhir-parameters.js';
import { finishExportJob, reportProgress, saveExportFile } from './export-job.repository.js';
import { expandItems, type ExportItem } from './export-items.js';
import type { ExportRequest } from './export-request.js';

/** Lines per NDJSON part file: bounded memory per job and files a client can fetch in one go. */
export const LINES_PER_FILE = 1000;
/** Progress is written at most this often (items), so polling sees movement without a write per item. */
const PROGRESS_EVERY = 25;

export interface ExportJobSpec {
  id: string;
  request: ExportRequest;
  /** Modalities the kick-off's token may not read: `not-authorized` in every bundle, as online. */
  notAuthorized?: Partial<Record<Modality, string>>;
}

/** One row of the missingness table: one modality of one (patient, index time) bundle. */
export function missingnessRows(bundle: AlignedBundle): Record<string, unknown>[] {
  return bundle.modalities.map((m) => ({
    patient: bundle.patient,
    indexTime: bundle.indexTime,
    asOf: bundle.asOf,
    bundle: bundle.id,
    spec: `${bundle.spec.name}@${bundle.spec.version}`,
    modality: m.name,
    status: m.status,
    reason: m.reason,
    required: m.required,
    count: m.count,
    pendingCount: m.pendingCount,
    windowStart: m.windowStart ?? null,
    windowEnd: m.windowEnd,
    newestAvailableAt: m.newestAvailableAt ?? null,
  }));
}

/** NDJSON part files of one kind, flushed as they fill. */
class PartWriter {
  private lines: string[] = [];
  private part = 0;
  constructor(
    private readonly deps: AlignedBundleDeps,
    private readonly jobId: string,
    private readonly file: { base: string; type: string; kind: 'output' | 'error' },
  ) {}
  async add(line: string): Promise<boolean> {
    this.lines.push(line);
    return this.lines.length >= LINES_PER_FILE ? this.flush() : true;
  }
  async flush(): Promise<boolean> {
    if (this.lines.length === 0) return true;
    const lines = this.lines;
    this.lines = [];
    this.part += 1;
    return saveExportFile(this.deps.db, { jobId: this.jobId, name: `${this.file.base}-${this.part}.ndjson`, type: this.file.type, kind: this.file.kind, lines });
  }
}

function outcomeLine(item: ExportItem | undefined, issues: OperationOutcomeIssue[]): string {
  const where = item ? ` (Patient/${item.patient} at ${item.indexTime})` : '';
  const o: OperationOutcome = {
    resourceType: 'OperationOutcome',
    issue: issues.map((i) => ({ ...i, details: { ...i.details, text: `${i.details?.text ?? i.diagnostics ?? i.code}${where}` } })),
  };
  return JSON.stringify(o);
}

/**
 * Run one `$aligned-export` job to the end (FHIR Bulk Data style): expand the pairs, build each
 * bundle through the same service as `$aligned-bundle` (so the same as-of logic, leakage rules and
 * identity resolution), write bundles, the missingness table and per-item errors as NDJSON. An item
 * that fails is reported in the error file and the job goes on; the job fails only when the export
 * itself cannot continue. A cancelled job (deleted row) stops at the next write.
 */
export async function runExport(deps: AlignedBundleDeps, job: ExportJobSpec): Promise<void> {
  try {
    const { items, notes } = await expandItems(deps, job.request);
    if (!(await reportProgress(deps.db, job.id, { status: 'in-progress', total: items.length, done: 0 }))) return;
    const bundles = new PartWriter(deps, job.id, { base: 'aligned-bundles', type: 'Parameters', kind: 'output' });
    const missing = new PartWriter(deps, job.id, { base: 'missingness', type: 'missingness', kind: 'output' });
    const errors = new PartWriter(deps, job.id, { base: 'errors', type: 'OperationOutcome', kind: 'error' });
    for (const n of notes) if (!(await errors.add(outcomeLine(undefined, [n])))) return;
    let done = 0;
    for (const item of items) {
      let alive = true;
      try {
        const bundle = await alignedBundleFor(deps, {
          patientId: item.patient,
          indexTime: item.indexTime,
          ...(job.request.asOf ? { asOf: job.request.asOf } : {}),
          spec: job.request.spec,
          ...(job.request.modalities ? { modalities: job.request.modalities } : {}),
          ...(job.notAuthorized ? { notAuthorized: job.notAuthorized } : {}),
        });
        const params = toFhirParameters(bundle);
        params.parameter = [{ name: 'patient', valueReference: { reference: `Patient/${item.patient}` } }, ...(params.parameter ?? [])];
        alive = await bundles.add(JSON.stringify(params));
        for (const row of missingnessRows(bundle)) alive = alive && (await missing.add(JSON.stringify(row)));
      } catch (err) {
        if (!(err instanceof OperationOutcomeError)) throw err;
        alive = await errors.add(outcomeLine(item, err.outcome.issue ?? []));
      }
      done += 1;
      if (alive && done % PROGRESS_EVERY === 0) alive = await reportProgress(deps.db, job.id, { done });
      if (!alive) return;
    }
    if (!(await bundles.flush()) || !(await missing.flush()) || !(await errors.flush())) return;
    await finishExportJob(deps.db, job.id, { status: 'completed', done });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await finishExportJob(deps.db, job.id, { status: 'failed', error: message }).catch(() => undefined);
  }
}
