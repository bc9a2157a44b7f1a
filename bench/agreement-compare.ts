import type { Bundle, Resource } from '@medplum/fhirtypes';

/**
 * Semantic comparison of Sinew's Bundle with another converter's for the same HL7v2 message
 * (notes/hl7v2.md §1.3: no golden is byte-stable). Resources are paired by content, not id; ids,
 * meta.lastUpdated/versionId and Bundle envelopes are ignored; references compare by the paired
 * resource; dateTimes with a time compare as instants; arrays are compared as multisets (FHIR gives
 * repeating elements no order that these converters agree on). A difference is reported at the
 * shortest path where one side has nothing, else per leaf path with both sides' values.
 */

export const DIFF_KINDS = ['missing', 'extra', 'differs', 'rejected'] as const;
export type DiffKind = (typeof DIFF_KINDS)[number];

export interface Difference {
  /** `Patient.name.family`, `Observation.extension(https://…/obx-observation)`, or a resource type for a whole resource. */
  path: string;
  /** missing: only theirs has it; extra: only ours; differs: both, with other values; rejected: Sinew refused the message. */
  kind: DiffKind;
  theirs: string[];
  ours: string[];
}

interface Leaf { path: string; value: string }
interface Item { resource: Resource; keys: string[]; leaves: Leaf[]; label?: string }

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

export function compareBundles(ours: Bundle, theirs: Bundle): Difference[] {
  const a = items(ours);
  const b = items(theirs);
  pair(a, b);
  const labelsA = labelMap(ours, a);
  const labelsB = labelMap(theirs, b);
  const out: Difference[] = [];
  for (const x of b.filter((i) => !i.label?.startsWith('='))) out.push({ path: x.resource.resourceType, kind: 'missing', theirs: [summary(x)], ours: [] });
  for (const x of a.filter((i) => !i.label?.startsWith('='))) out.push({ path: x.resource.resourceType, kind: 'extra', theirs: [], ours: [summary(x)] });
  const byLabel = new Map(b.filter((i) => i.label?.startsWith('=')).map((i) => [i.label!, i]));
  for (const x of a.filter((i) => i.label?.startsWith('='))) {
    const y = byLabel.get(x.label!)!;
    out.push(...diffLeaves(flatten(x.resource, labelsA), flatten(y.resource, labelsB)));
  }
  return out;
}

function items(bundle: Bundle): Item[] {
  return (bundle.entry ?? []).flatMap((e) => {
    if (!e.resource) return [];
    const leaves = flatten(e.resource, undefined);
    return [{ resource: e.resource, leaves, keys: leaves.map((l) => `${l.path}=${l.value}`) }];
  });
}

/** Greedy pairing per resource type by shared leaves (references left out, they are what we are solving for). */
function pair(ours: Item[], theirs: Item[]): void {
  const candidates: { a: Item; b: Item; score: number }[] = [];
  for (const a of ours) {
    const set = new Set(a.keys);
    for (const b of theirs) {
      if (b.resource.resourceType !== a.resource.resourceType) continue;
      const score = b.keys.filter((k) => set.has(k)).length;
      if (score > 0) candidates.push({ a, b, score });
    }
  }
  candidates.sort((x, y) => y.score - x.score);
  let n = 0;
  for (const { a, b } of candidates) {
    if (a.label || b.label) continue;
    a.label = b.label = `=${a.resource.resourceType}#${n++}`;
  }
  // One resource of a type on each side and nothing shared (e.g. an empty ReportStream Patient): still the same thing.
  const types = new Set(ours.map((i) => i.resource.resourceType));
  for (const t of types) {
    const la = ours.filter((i) => i.resource.resourceType === t && !i.label);
    const lb = theirs.filter((i) => i.resource.resourceType === t && !i.label);
    if (la.length === 1 && lb.length === 1) la[0]!.label = lb[0]!.label = `=${t}#${n++}`;
  }
}

function labelMap(bundle: Bundle, list: Item[]): Map<string, string> {
  const labels = new Map<string, string>();
  (bundle.entry ?? []).forEach((e) => {
    const item = list.find((i) => i.resource === e.resource);
    if (!item || !e.resource) return;
    const label = item.label?.startsWith('=') ? item.label : `unpaired ${e.resource.resourceType}`;
    labels.set(`${e.resource.resourceType}/${e.resource.id}`, label);
    if (e.fullUrl) labels.set(e.fullUrl, label);
  });
  return labels;
}

/** Leaves of a resource; with `labels`, references become the paired label, without them a placeholder. */
function flatten(resource: Resource, labels: Map<string, string> | undefined): Leaf[] {
  const out: Leaf[] = [];
  const walk = (value: unknown, path: string, key: string): void => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      for (const v of value) walk(v, path, key);
      return;
    }
    if (typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (k === 'id' || (k === 'url' && /xtension\([^)]*\)$/.test(path))) continue;
        if (path === resource.resourceType && k === 'meta') {
          const meta = v as Record<string, unknown>;
          walk({ ...meta, lastUpdated: undefined, versionId: undefined, source: undefined }, `${path}.meta`, 'meta');
          continue;
        }
        if (k === 'resourceType' && path === resource.resourceType) continue;
        if (k === 'extension' || k === 'modifierExtension') {
          for (const ext of Array.isArray(v) ? v : [v]) {
            const url = String((ext as { url?: string }).url ?? '?');
            walk(ext, `${path}.${k}(${url})`, k);
          }
          continue;
        }
        walk(v, `${path}.${k}`, k);
      }
      return;
    }
    let text = String(value);
    if (key === 'reference') text = labels ? labels.get(text) ?? `outside the bundle ${text.split('/')[0]}` : 'reference';
    else if (typeof value === 'string' && DATE_TIME.test(value)) text = `instant ${new Date(value).toISOString()}`;
    out.push({ path, value: text });
  };
  walk(resource, resource.resourceType, '');
  return out;
}

function diffLeaves(ours: Leaf[], theirs: Leaf[]): Difference[] {
  const group = (leaves: Leaf[]) => {
    const m = new Map<string, string[]>();
    for (const l of leaves) m.set(l.path, [...(m.get(l.path) ?? []), l.value]);
    return m;
  };
  const a = group(ours);
  const b = group(theirs);
  const has = (m: Map<string, string[]>, prefix: string) => [...m.keys()].some((p) => p === prefix || p.startsWith(`${prefix}.`));
  const out = new Map<string, Difference>();
  for (const path of new Set([...a.keys(), ...b.keys()])) {
    const va = a.get(path) ?? [];
    const vb = b.get(path) ?? [];
    const onlyA = minus(va, vb);
    const onlyB = minus(vb, va);
    if (!onlyA.length && !onlyB.length) continue;
    if (va.length && vb.length) {
      // Same element on both sides: other values, or only more (or fewer) repetitions of it.
      const kind: DiffKind = onlyA.length && onlyB.length ? 'differs' : onlyB.length ? 'missing' : 'extra';
      out.set(`${path} ${kind}`, { path, kind, theirs: onlyB, ours: onlyA });
      continue;
    }
    // Report a missing/extra subtree once, at its shortest path the other side has nothing under.
    const kind: DiffKind = vb.length ? 'missing' : 'extra';
    const other = vb.length ? a : b;
    const parts = splitPath(path);
    let at = path;
    for (let i = 2; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('.');
      if (!has(other, prefix)) { at = prefix; break; }
    }
    const key = `${at} ${kind}`;
    const d = out.get(key) ?? { path: at, kind, theirs: [], ours: [] };
    if (at === path) (kind === 'missing' ? d.theirs : d.ours).push(...(kind === 'missing' ? onlyB : onlyA));
    else (kind === 'missing' ? d.theirs : d.ours).push(`${path.slice(at.length + 1)}: ${(kind === 'missing' ? onlyB : onlyA).join(' | ')}`);
    out.set(key, d);
  }
  return [...out.values()];
}

/** Dots inside `extension(url)` are part of the url. */
function splitPath(path: string): string[] {
  return path.split(/\.(?![^(]*\))/);
}

function minus(x: string[], y: string[]): string[] {
  const rest = [...y];
  return x.filter((v) => {
    const i = rest.indexOf(v);
    if (i < 0) return true;
    rest.splice(i, 1);
    return false;
  });
}

function summary(item: Item): string {
  const first = item.leaves.filter((l) => !l.path.includes('extension(') && l.value !== 'reference').slice(0, 3);
  return first.map((l) => `${l.path.slice(item.resource.resourceType.length + 1)}=${l.value}`).join(', ') || '(no content)';
}
