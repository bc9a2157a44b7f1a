import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import { OperationOutcomeError, throwIfIssues } from '../fhir/outcomes.js';
import { queryAsOf, type AsOfResult, type AsOfWindow } from '../timeline/as-of.query.js';
import { MODALITIES, type Modality, type PendingEvent, type TimelineEvent } from '../timeline/timeline-event.js';
import type { AlignedBundle } from './aligned-bundle.types.js';
import { buildAlignedBundle } from './build-aligned-bundle.js';
import { logBundleManifest } from './bundle-log.repository.js';
import { windowFor } from './select-items.js';
import type { FusionSpec, ModalitySpec, SpecRegistry } from './spec.js';

export type AsOfQueryFn = (db: Db, q: Parameters<typeof queryAsOf>[1]) => Promise<AsOfResult>;

export interface AlignedBundleDeps {
  db: Db;
  specs: SpecRegistry;
  /** Source Patient records of this id as the identity layer knew them at `asOf`; [] = unknown patient. */
  resolvePatientRecords: (patientId: string, asOf: Date) => Promise<string[]>;
  now: () => Date;
  /** The as-of query; injectable so a failing source can be simulated. Default queryAsOf. */
  query?: AsOfQueryFn;
  /** Write a manifest row to bundle_log per bundle (monitoring); a failed write never fails the bundle. */
  logBundles?: boolean;
}

export interface AlignedBundleParams {
  patientId: string;
  indexTime: string;
  asOf?: string;
  spec?: string;
  modalities?: readonly string[];
  /** Modalities the caller may not read (SMART scopes), with the reason. */
  notAuthorized?: Partial<Record<Modality, string>>;
}

export const DEFAULT_SPEC = 'default';

function bad(text: string, param: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'invalid', details: { text }, expression: [param] };
}

function instant(text: string | undefined, param: string, issues: OperationOutcomeIssue[]): number | undefined {
  if (text === undefined) return undefined;
  // A date-time needs a time zone: "12:00" on its own means different instants on different servers.
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text) && !Number.isNaN(Date.parse(text));
  if (!ok) issues.push(bad(`${param} "${text}" is not a date-time with a time zone, such as 2024-03-10T12:00:00Z`, param));
  return ok ? Date.parse(text) : undefined;
}

export interface ValidatedParams {
  indexMs: number;
  asOfMs: number;
  spec: FusionSpec;
  modalities: Modality[];
}

/** Every parameter problem at once (STYLE.md pattern 5), each naming its parameter. */
export function validateParams(specs: SpecRegistry, p: AlignedBundleParams, nowMs: number): ValidatedParams {
  const issues: OperationOutcomeIssue[] = [];
  const indexMs = instant(p.indexTime, 'index-time', issues);
  const asOfMs = instant(p.asOf, 'as-of', issues);
  if (p.indexTime === undefined || p.indexTime === '') issues.push(bad('index-time is required', 'index-time'));
  if (indexMs !== undefined && indexMs > nowMs) issues.push(bad(`index-time ${p.indexTime} is in the future (now ${new Date(nowMs).toISOString()}): nothing can be known about it yet`, 'index-time'));
  if (asOfMs !== undefined && asOfMs > nowMs) issues.push(bad(`as-of ${p.asOf} is in the future (now ${new Date(nowMs).toISOString()})`, 'as-of'));
  const specName = p.spec ?? DEFAULT_SPEC;
  let spec: FusionSpec | undefined;
  if (specs.names().includes(specName)) spec = specs.get(specName);
  else issues.push(bad(`unknown fusion spec "${specName}"; known specs: ${specs.names().join(', ') || '(none)'}`, 'spec'));
  const inSpec = spec ? MODALITIES.filter((m) => spec?.modalities[m]) : [...MODALITIES];
  for (const m of p.modalities ?? []) {
    if (!(MODALITIES as readonly string[]).includes(m)) issues.push(bad(`unknown modality "${m}"; known: ${MODALITIES.join(', ')}`, 'modality'));
    else if (spec && !inSpec.includes(m as Modality)) issues.push(bad(`modality "${m}" is not in spec ${spec.name}@${spec.version} (has: ${inSpec.join(', ')})`, 'modality'));
  }
  throwIfIssues(issues);
  const requested = p.modalities?.length ? inSpec.filter((m) => p.modalities?.includes(m)) : inSpec;
  return { indexMs: indexMs as number, asOfMs: asOfMs ?? (indexMs as number), spec: spec as FusionSpec, modalities: requested };
}

/**
 * The as-of windows of the spec's requested modalities (all one round trip). The spec's selector
 * and `latest-per-code` go to the database too, so a long problem list comes back as one row per
 * problem; the builder applies both again, so the answer is the same either way.
 */
export function windowsFor(spec: FusionSpec, modalities: readonly Modality[], indexMs: number): AsOfWindow[] {
  return modalities.map((m) => {
    const mSpec = spec.modalities[m] as ModalitySpec;
    const w = windowFor(mSpec, indexMs);
    return {
      modality: m,
      ...(w.startMs !== null ? { from: new Date(w.startMs) } : {}),
      to: new Date(w.endMs),
      select: mSpec.select,
      latestPerCode: mSpec.selection === 'latest-per-code',
    };
  });
}

/**
 * Run the one query; if it fails, retry per modality so that one failing source marks only its own
 * modality `error` (never silently absent) and the others still answer.
 */
async function queryWithIsolation(query: AsOfQueryFn, db: Db, records: string[], asOf: Date, windows: AsOfWindow[]) {
  try {
    return { ...(await query(db, { patientRecords: records, asOf, windows })), errors: {} as Partial<Record<Modality, string>> };
  } catch {
    const parts = await Promise.allSettled(windows.map((w) => query(db, { patientRecords: records, asOf, windows: [w] })));
    const events: TimelineEvent[] = [];
    const pending: PendingEvent[] = [];
    const errors: Partial<Record<Modality, string>> = {};
    parts.forEach((r, i) => {
      const m = (windows[i] as AsOfWindow).modality;
      if (r.status === 'fulfilled') {
        events.push(...r.value.events);
        pending.push(...r.value.pending);
      } else errors[m] = r.reason instanceof Error ? r.reason.message : String(r.reason);
    });
    return { events, pending, errors };
  }
}

/** `$aligned-bundle` (issue 5 §5): validate, resolve the person as known at as-of, query, build. */
export async function alignedBundleFor(deps: AlignedBundleDeps, params: AlignedBundleParams): Promise<AlignedBundle> {
  const v = validateParams(deps.specs, params, deps.now().getTime());
  const asOf = new Date(v.asOfMs);
  const records = await deps.resolvePatientRecords(params.patientId, asOf);
  if (records.length === 0) {
    throw new OperationOutcomeError({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'not-found', details: { text: `no Patient/${params.patientId} known at ${asOf.toISOString()}` }, expression: ['patient'] }],
    });
  }
  const readable = v.modalities.filter((m) => params.notAuthorized?.[m] === undefined);
  const { events, pending, errors } = await queryWithIsolation(deps.query ?? queryAsOf, deps.db, records, asOf, windowsFor(v.spec, readable, v.indexMs));
  const bundle = buildAlignedBundle({
    patient: params.patientId,
    indexTime: new Date(v.indexMs).toISOString(),
    asOf: asOf.toISOString(),
    spec: v.spec,
    events,
    pendingEvents: pending,
    modalities: v.modalities,
    errors,
    ...(params.notAuthorized ? { notAuthorized: params.notAuthorized } : {}),
  });
  if (deps.logBundles) await logBundleManifest(deps.db, bundle, deps.now()).catch(() => undefined);
  return bundle;
}
