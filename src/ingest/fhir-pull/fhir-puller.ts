import type { Bundle, BundleEntry, CapabilityStatement, Resource } from '@medplum/fhirtypes';
import type { Db } from '../../db/database.js';
import { FHIR_RESOURCE_TYPES, isServedType } from '../../fhir/search-parameters.js';
import type { FhirIngest } from '../../pipeline/fhir-ingest.js';
import { readPullCursor, savePullCursor, type PullCursor } from './pull-cursor.repository.js';

/** The slice of fhir-kit-client's `Client` a pull uses (STYLE.md pattern 10). */
export interface UpstreamClient {
  capabilityStatement(): Promise<unknown>;
  search(params: { resourceType: string; searchParams: Record<string, string | number> }): Promise<unknown>;
  nextPage(params: { bundle: never }): Promise<unknown> | undefined;
}

export interface PullOptions {
  /** The upstream FHIR base URL, as given (the cursor's key). */
  from: string;
  /** Overrides the stored cursors: `_lastUpdated=gt` this instant. */
  since?: string;
  /** Types to read, in order; default every type the upstream can search and Sinew stores, Patient first. */
  types?: readonly string[];
  pageSize?: number;
}

export interface TypeSummary {
  type: string;
  pages: number;
  accepted: number;
  duplicate: number;
  error: number;
  rejected: number;
  /** Whether the upstream honoured `_sort=_lastUpdated`, so the cursor could move after each page. */
  sorted: boolean;
}

export interface PullProblem {
  type: string;
  where: string;
  result: 'rejected' | 'error';
  text: string;
}

export interface PullDeps {
  db: Db;
  ingest: FhirIngest;
  client: UpstreamClient;
  now?: () => Date;
  onPage?: (type: string, summary: TypeSummary) => void;
  onProblem?: (p: PullProblem) => void;
  /** Stops between pages (the cursor then says where to resume). */
  signal?: AbortSignal;
}

/**
 * `sinew pull`: per type, a search `_lastUpdated=gt{cursor}&_sort=_lastUpdated`, following `next`
 * links; each page goes through the FHIR ingest service as a backfill and the cursor is saved after
 * it, so an interrupted pull resumes where it stopped. An upstream that refuses `_sort` is read
 * unsorted and its cursor moves only when the whole type has been read.
 * See: https://hl7.org/fhir/R4/search.html#lastUpdated and https://hl7.org/fhir/R4/http.html#paging
 */
export async function runPull(deps: PullDeps, opts: PullOptions): Promise<TypeSummary[]> {
  const now = deps.now ?? (() => new Date());
  const types = opts.types?.length ? [...opts.types] : await upstreamTypes(deps.client);
  const out: TypeSummary[] = [];
  for (const type of types) {
    if (deps.signal?.aborted) break;
    out.push(await pullType(deps, opts, type, now));
  }
  return out;
}

async function pullType(deps: PullDeps, opts: PullOptions, type: string, now: () => Date): Promise<TypeSummary> {
  const summary: TypeSummary = { type, pages: 0, accepted: 0, duplicate: 0, error: 0, rejected: 0, sorted: true };
  const stored = opts.since ? undefined : await readPullCursor(deps.db, opts.from, type);
  const start: PullCursor | undefined = opts.since ? { since: opts.since, inclusive: false } : stored;
  const params: Record<string, string | number> = { _sort: '_lastUpdated', _count: opts.pageSize ?? 100 };
  if (start) params._lastUpdated = `${start.inclusive ? 'ge' : 'gt'}${start.since}`;
  let page = await firstPage(deps.client, type, params, summary);
  let newest: { at: number; text: string } | undefined;
  let unsaved = 0;
  for (;;) {
    const entries = (page.entry ?? []).filter((e) => e.search?.mode !== 'outcome' && e.resource);
    const stamps = entries.map((e) => e.resource?.meta?.lastUpdated).filter((s): s is string => !!s);
    for (const s of stamps) {
      const at = Date.parse(s);
      if (newest && at < newest.at) summary.sorted = false;
      if (!newest || at >= newest.at) newest = { at, text: s };
    }
    if (entries.length) await ingestPage(deps, opts.from, type, entries, summary);
    summary.pages++;
    const more = page.link?.some((l) => l.relation === 'next') === true;
    unsaved += entries.length;
    if (newest && (summary.sorted || !more)) {
      await savePullCursor(deps.db, opts.from, type, { since: newest.text, inclusive: more }, unsaved, now());
      unsaved = 0;
    }
    deps.onPage?.(type, { ...summary });
    if (!more || deps.signal?.aborted) break;
    try {
      page = asBundle(await deps.client.nextPage({ bundle: page as never }), type);
    } catch (err) {
      throw upstreamError(err, `${type} next page`);
    }
  }
  return summary;
}

async function firstPage(client: UpstreamClient, type: string, params: Record<string, string | number>, summary: TypeSummary): Promise<Bundle> {
  try {
    return asBundle(await client.search({ resourceType: type, searchParams: params }), type);
  } catch (err) {
    const status = (err as { response?: { status?: number } }).response?.status;
    if (status !== 400 && status !== 422) throw upstreamError(err, type);
    // Some servers refuse `_sort`; read unsorted rather than not at all.
    const { _sort: _s, ...rest } = params;
    summary.sorted = false;
    try {
      return asBundle(await client.search({ resourceType: type, searchParams: rest }), type);
    } catch (again) {
      throw upstreamError(again, type);
    }
  }
}

async function ingestPage(deps: PullDeps, from: string, type: string, entries: BundleEntry[], summary: TypeSummary): Promise<void> {
  const bundle: Bundle = { resourceType: 'Bundle', type: 'collection', entry: entries.map((e) => ({ ...(e.fullUrl ? { fullUrl: e.fullUrl } : {}), resource: e.resource as Resource })) };
  const result = await deps.ingest.ingest(bundle, { kind: 'fhir-pull', url: from });
  for (const r of result.entries) {
    if (r.result === 'accepted' || r.result === 'duplicate' || r.result === 'error' || r.result === 'rejected') summary[r.result]++;
    if ((r.result === 'rejected' || r.result === 'error') && r.outcome) {
      const res = entries[r.index]?.resource;
      const text = (r.outcome.issue ?? []).map((i) => i.details?.text ?? i.code).join('; ');
      deps.onProblem?.({ type, where: res ? `${res.resourceType}/${res.id ?? '?'}` : `entry ${r.index}`, result: r.result, text });
    }
  }
}

/** Searchable types the upstream lists that Sinew stores, Patient first (identity before clinical data). */
async function upstreamTypes(client: UpstreamClient): Promise<string[]> {
  let cs: CapabilityStatement;
  try {
    cs = (await client.capabilityStatement()) as CapabilityStatement;
  } catch (err) {
    throw upstreamError(err, 'metadata');
  }
  const listed = new Set(
    (cs.rest ?? []).flatMap((r) => (r.resource ?? []).filter((x) => (x.interaction ?? []).some((i) => i.code === 'search-type')).map((x) => x.type)),
  );
  return FHIR_RESOURCE_TYPES.filter((t) => listed.has(t) && isServedType(t));
}

function asBundle(value: unknown, type: string): Bundle {
  const b = value as Bundle | undefined;
  if (b?.resourceType !== 'Bundle') throw new Error(`the upstream answered the ${type} search with ${b?.resourceType ?? 'something'} instead of a Bundle`);
  return b;
}

function upstreamError(err: unknown, what: string): Error {
  const status = (err as { response?: { status?: number } }).response?.status;
  return new Error(status ? `the upstream answered ${status} to the ${what} request` : `the upstream could not be reached for ${what}: ${(err as Error).message}`);
}
