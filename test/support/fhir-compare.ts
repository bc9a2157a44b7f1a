import type { Bundle, Resource } from '@medplum/fhirtypes';

/**
 * Semantic form of a converted Bundle for golden tests: resource ids become labels derived from
 * content (type + identifier/code/name), references point to those labels, dateTimes with a time
 * become UTC instants, and arrays of objects are sorted (FHIR gives them no order for our
 * purposes); arrays of strings (given names, address lines) keep their order.
 */
export function normalizeBundle(bundle: Bundle): unknown[] {
  const entries = bundle.entry ?? [];
  const resources = entries.map((e) => e.resource).filter((r): r is Resource => !!r);
  const methods = new Map(entries.map((e) => [e.resource, e.request?.method]));
  const labels = new Map<string, string>();
  const taken = new Map<string, number>();
  const none = new Map<string, string>();
  const keyed = resources.map((r) => ({ r, key: `${r.resourceType}|${canonical(normalize(stripRefs(keyOf(r)), none))}` }));
  keyed.sort((a, b) => (a.key === b.key ? canonical(stripRefs(a.r)).localeCompare(canonical(stripRefs(b.r))) : a.key.localeCompare(b.key)));
  for (const { r, key } of keyed) {
    const n = taken.get(key) ?? 0;
    taken.set(key, n + 1);
    labels.set(`${r.resourceType}/${r.id}`, n ? `${key}#${n}` : key);
  }
  return keyed
    .map(({ r }) => {
      const label = labels.get(`${r.resourceType}/${r.id}`);
      return { request: `${methods.get(r) ?? 'none'} ${label}`, resource: normalize(r, labels) };
    })
    .sort((a, b) => canonical(a).localeCompare(canonical(b)));
}

/** Differences as readable lines (empty when equal), for messages outside jest's diff. */
export function compareBundles(actual: Bundle, expected: Bundle): string[] {
  const a = normalizeBundle(actual).map(canonical);
  const e = normalizeBundle(expected).map(canonical);
  return [...e.filter((x) => !a.includes(x)).map((x) => `missing: ${x}`), ...a.filter((x) => !e.includes(x)).map((x) => `unexpected: ${x}`)];
}

function keyOf(r: Resource): unknown {
  const any = r as unknown as Record<string, unknown>;
  if (r.resourceType === 'Provenance') return 'provenance';
  return any.masterIdentifier ?? any.identifier ?? any.code ?? any.name ?? '';
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function normalize(value: unknown, labels: Map<string, string>): unknown {
  if (typeof value === 'string') return DATE_TIME.test(value) ? `instant:${new Date(value).toISOString()}` : value;
  if (Array.isArray(value)) {
    const items = value.map((v) => normalize(v, labels));
    return items.every((v) => v !== null && typeof v === 'object') ? items.sort((x, y) => canonical(x).localeCompare(canonical(y))) : items;
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'id' || k === 'meta') continue;
      out[k] = k === 'reference' && typeof v === 'string' ? `ref:${labels.get(v) ?? `UNRESOLVED ${v}`}` : normalize(v, labels);
    }
    return out;
  }
  return value;
}

function stripRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => k !== 'reference' && k !== 'id').map(([k, v]) => [k, stripRefs(v)]));
  }
  return value;
}

/** JSON with sorted keys. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v);
}
