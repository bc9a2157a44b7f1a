import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { readFhirJson } from '../../ingest/files/json-file-reader.js';
import { readNdjson } from '../../ingest/files/ndjson-reader.js';

/**
 * What `sinew import` hands the FHIR ingest service: a Bundle with where each entry came from, or an
 * item that could not be read at all (rejected, with its place in the file).
 */
export type FhirUnit = { kind: 'bundle'; bundle: Bundle; labels: string[] } | { kind: 'unreadable'; label: string; reason: string };

/** Entries per batch: big enough to amortise a round trip, small enough to keep memory flat. */
export const DEFAULT_CHUNK = 100;

/**
 * Streams a FHIR JSON file (a resource or a Bundle) or NDJSON into units. A transaction Bundle stays
 * whole (all-or-nothing); any other Bundle, and NDJSON, is cut into batches of `chunk` entries, with
 * `urn:uuid:` references to entries of earlier batches rewritten to the `Type/id` they were stored as.
 */
export async function* readFhirUnits(
  file: string,
  kind: 'fhir-json' | 'ndjson',
  stream: AsyncIterable<Uint8Array>,
  opts: { chunk?: number } = {},
): AsyncGenerator<FhirUnit> {
  const chunk = opts.chunk ?? DEFAULT_CHUNK;
  const refs = new Map<string, string>();
  let entries: BundleEntry[] = [];
  let labels: string[] = [];
  let transaction = false;
  const add = (entry: BundleEntry, label: string): FhirUnit | undefined => {
    entries.push(transaction ? entry : remember(entry, refs));
    labels.push(label);
    return !transaction && entries.length >= chunk ? flush() : undefined;
  };
  const flush = (): FhirUnit | undefined => {
    if (!entries.length) return undefined;
    const unit: FhirUnit = { kind: 'bundle', bundle: { resourceType: 'Bundle', type: transaction ? 'transaction' : 'collection', entry: entries }, labels };
    entries = [];
    labels = [];
    return unit;
  };

  if (kind === 'ndjson') {
    for await (const item of readNdjson(stream)) {
      const label = `${file} line ${item.line}`;
      if (item.error !== undefined) yield { kind: 'unreadable', label, reason: item.error };
      else if (!isResource(item.value)) yield { kind: 'unreadable', label, reason: 'the line has no "resourceType"' };
      else {
        const unit = add({ resource: item.value }, label);
        if (unit) yield unit;
      }
    }
  } else {
    for await (const item of readFhirJson(stream)) {
      if (item.kind === 'error') yield { kind: 'unreadable', label: file, reason: item.error };
      else if (item.kind === 'resource') yield* [add({ resource: item.value as unknown as Resource }, file), flush()].filter((u): u is FhirUnit => !!u);
      else if (item.kind === 'bundle') transaction = item.value.type === 'transaction';
      else if (item.kind === 'entry') {
        const label = `${file} entry ${item.index}`;
        if (item.error !== undefined || !item.value) yield { kind: 'unreadable', label, reason: item.error ?? 'not a JSON object' };
        else {
          const unit = add(item.value as BundleEntry, label);
          if (unit) yield unit;
        }
      }
    }
  }
  const last = flush();
  if (last) yield last;
}

function isResource(v: unknown): v is Resource {
  return typeof v === 'object' && v !== null && typeof (v as { resourceType?: unknown }).resourceType === 'string';
}

const UUID_URN = /^urn:uuid:([0-9a-f-]{36})$/i;

/** Records the entry's fullUrl → `Type/id` and rewrites references to entries already seen. */
function remember(entry: BundleEntry, refs: Map<string, string>): BundleEntry {
  const r = entry.resource;
  if (!r) return entry;
  const id = r.id ?? UUID_URN.exec(entry.fullUrl ?? '')?.[1]?.toLowerCase();
  const resource = refs.size ? (rewrite(r, refs) as Resource) : r;
  if (entry.fullUrl && id) refs.set(entry.fullUrl, `${r.resourceType}/${id}`);
  return resource === r ? entry : { ...entry, resource };
}

function rewrite(node: unknown, refs: ReadonlyMap<string, string>, key?: string): unknown {
  if (Array.isArray(node)) return node.map((x) => rewrite(x, refs, key));
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, rewrite(v, refs, k)]));
  return key === 'reference' && typeof node === 'string' ? (refs.get(node) ?? node) : node;
}
