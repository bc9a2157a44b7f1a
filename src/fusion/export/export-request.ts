import type { OperationOutcomeIssue, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import { OperationOutcomeError, throwIfIssues } from '../../fhir/outcomes.js';
import { DEFAULT_SPEC, validateParams } from '../aligned-bundle.service.js';
import { parseDuration } from '../duration.js';
import type { SpecRegistry } from '../spec.js';

/** What an index rule anchors on: the encounter's start (admission) or end (discharge). */
export const INDEX_ANCHORS = ['admission', 'discharge'] as const;
export type IndexAnchor = (typeof INDEX_ANCHORS)[number];

/** A cohort rule: one index time per encounter of each patient, `offset` after the anchor. */
export interface IndexRule {
  anchor: IndexAnchor;
  offsetMs: number;
  offset: string;
  /** PV1-2 patient class the encounter must have (I, O, E …); any when absent. */
  patientClass?: string;
}

export interface ExportIdentifier {
  system?: string;
  value: string;
}

/** A kick-off, checked: every patient is paired with every index time, plus explicit pairs and the rule. */
export interface ExportRequest {
  patients: string[];
  identifiers: ExportIdentifier[];
  indexTimes: string[];
  items: { patient: string; indexTime: string }[];
  rule?: IndexRule;
  asOf?: string;
  spec: string;
  modalities?: string[];
}

/** A job never holds more pairs than this; split larger cohorts into several kick-offs. */
export const MAX_EXPORT_ITEMS = 100_000;

const NDJSON_FORMATS = ['application/fhir+ndjson', 'application/ndjson', 'ndjson'];
const KNOWN = ['patient', 'identifier', 'index-time', 'item', 'index-rule', 'as-of', 'spec', 'modality', '_outputFormat'];

function bad(text: string, where: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'invalid', details: { text }, expression: [where] };
}

/** `Patient/x`, `x`, or an absolute URL ending in `Patient/x`. */
function patientId(p: ParametersParameter): string | undefined {
  const ref = p.valueReference?.reference ?? p.valueString ?? p.valueId;
  if (!ref) return undefined;
  const m = /(?:^|\/)Patient\/([A-Za-z0-9\-.]{1,64})$/.exec(ref) ?? /^([A-Za-z0-9\-.]{1,64})$/.exec(ref);
  return m?.[1];
}

const timeOf = (p: ParametersParameter): string | undefined => p.valueDateTime ?? p.valueInstant ?? p.valueString;
const part = (p: ParametersParameter, name: string) => p.part?.find((x) => x.name === name);

function parseRule(p: ParametersParameter, issues: OperationOutcomeIssue[]): IndexRule | undefined {
  const anchor = part(p, 'anchor')?.valueCode ?? part(p, 'anchor')?.valueString;
  const offset = part(p, 'offset')?.valueString ?? part(p, 'offset')?.valueCode ?? 'PT0S';
  const patientClass = part(p, 'class')?.valueCode ?? part(p, 'class')?.valueString;
  for (const x of p.part ?? []) if (!['anchor', 'offset', 'class'].includes(x.name ?? '')) issues.push(bad(`index-rule has an unknown part "${x.name}" (known: anchor, offset, class)`, `index-rule.${x.name}`));
  if (!anchor || !(INDEX_ANCHORS as readonly string[]).includes(anchor)) {
    issues.push(bad(`index-rule.anchor must be one of ${INDEX_ANCHORS.join(', ')}${anchor ? `, not "${anchor}"` : ''}`, 'index-rule.anchor'));
    return undefined;
  }
  const d = parseDuration(offset);
  if (!d.ok) {
    issues.push(bad(`index-rule.offset: ${d.message}`, 'index-rule.offset'));
    return undefined;
  }
  return { anchor: anchor as IndexAnchor, offset, offsetMs: d.ms, ...(patientClass ? { patientClass } : {}) };
}

/**
 * The kick-off `Parameters` of `$aligned-export` (profiles/OperationDefinition-aligned-export.json),
 * checked all at once (STYLE.md pattern 5): who (patient, identifier, item), when (index-time, item,
 * index-rule), and how (as-of, spec, modality) — each index time and the spec through the same
 * validation `$aligned-bundle` uses, so both operations refuse the same input the same way.
 */
export function parseExportRequest(body: unknown, specs: SpecRegistry, nowMs: number): ExportRequest {
  const params = body as Parameters | undefined;
  if (!params || params.resourceType !== 'Parameters') throwIfIssues([bad('the body must be a Parameters resource', 'Parameters')]);
  const issues: OperationOutcomeIssue[] = [];
  const out: ExportRequest = { patients: [], identifiers: [], indexTimes: [], items: [], spec: DEFAULT_SPEC };
  const once = new Set<string>();
  for (const [i, p] of ((params as Parameters).parameter ?? []).entries()) {
    const name = p.name ?? '';
    const where = `Parameters.parameter[${i}]`;
    if (!KNOWN.includes(name)) {
      issues.push(bad(`unknown parameter "${name}" (known: ${KNOWN.join(', ')})`, where));
      continue;
    }
    if (['index-rule', 'as-of', 'spec', '_outputFormat'].includes(name)) {
      if (once.has(name)) issues.push(bad(`parameter ${name} given more than once`, name));
      once.add(name);
    }
    switch (name) {
      case 'patient': {
        const id = patientId(p);
        if (id) out.patients.push(id);
        else issues.push(bad('patient needs a valueReference such as {"reference": "Patient/123"}', `${where}.valueReference`));
        break;
      }
      case 'identifier': {
        const ident = p.valueIdentifier ?? (p.valueString ? { system: p.valueString.includes('|') ? p.valueString.split('|')[0] : undefined, value: p.valueString.split('|').pop() } : undefined);
        if (ident?.value) out.identifiers.push({ ...(ident.system ? { system: ident.system } : {}), value: ident.value });
        else issues.push(bad('identifier needs a valueIdentifier with a value (or a valueString SYSTEM|VALUE)', `${where}.valueIdentifier`));
        break;
      }
      case 'index-time': {
        const t = timeOf(p);
        if (t) out.indexTimes.push(t);
        else issues.push(bad('index-time needs a valueDateTime', `${where}.valueDateTime`));
        break;
      }
      case 'item': {
        const who = part(p, 'patient');
        const when = part(p, 'index-time');
        const id = who ? patientId(who) : undefined;
        const t = when ? timeOf(when) : undefined;
        if (!id) issues.push(bad('item needs a part patient with a valueReference Patient/…', `${where}.part.patient`));
        if (!t) issues.push(bad('item needs a part index-time with a valueDateTime', `${where}.part.index-time`));
        if (id && t) out.items.push({ patient: id, indexTime: t });
        break;
      }
      case 'index-rule': {
        const rule = parseRule(p, issues);
        if (rule) out.rule = rule;
        break;
      }
      case 'as-of':
        if (timeOf(p)) out.asOf = timeOf(p);
        else issues.push(bad('as-of needs a valueInstant', `${where}.valueInstant`));
        break;
      case 'spec':
        out.spec = p.valueString ?? p.valueCode ?? '';
        break;
      case 'modality':
        if (p.valueCode ?? p.valueString) out.modalities = [...(out.modalities ?? []), (p.valueCode ?? p.valueString) as string];
        break;
      case '_outputFormat': {
        const f = p.valueString ?? p.valueCode ?? '';
        if (!NDJSON_FORMATS.includes(f)) issues.push(bad(`_outputFormat "${f}" is not supported; use application/fhir+ndjson`, '_outputFormat'));
        break;
      }
    }
  }
  if (out.patients.length === 0 && out.identifiers.length === 0 && out.items.length === 0) {
    issues.push(bad('no patients: give at least one patient, identifier or item', 'patient'));
  }
  if (out.indexTimes.length === 0 && out.items.length === 0 && !out.rule) {
    issues.push(bad('no index times: give index-time, item or index-rule', 'index-time'));
  }
  if ((out.patients.length > 0 || out.identifiers.length > 0) && out.indexTimes.length === 0 && !out.rule) {
    issues.push(bad('patient and identifier need index-time or index-rule (an item carries its own index time)', 'index-time'));
  }
  const pairs = (out.patients.length + out.identifiers.length) * out.indexTimes.length + out.items.length;
  if (pairs > MAX_EXPORT_ITEMS) issues.push(bad(`${pairs} patient × index-time pairs exceed the limit of ${MAX_EXPORT_ITEMS} per job`, 'index-time'));
  issues.push(...sharedParameterIssues(specs, out, nowMs));
  throwIfIssues(dedupe(issues));
  return out;
}

/** Spec, modalities, as-of and every index time, through `$aligned-bundle`'s own validation. */
function sharedParameterIssues(specs: SpecRegistry, r: ExportRequest, nowMs: number): OperationOutcomeIssue[] {
  const times = [...new Set([...r.indexTimes, ...r.items.map((i) => i.indexTime)])];
  const issues: OperationOutcomeIssue[] = [];
  // The rule's index times come from encounters later; the spec and as-of are still checked now.
  const probe = times.length ? times : [r.asOf ?? new Date(nowMs).toISOString()];
  for (const indexTime of probe) {
    try {
      validateParams(specs, { patientId: '-', indexTime, ...(r.asOf ? { asOf: r.asOf } : {}), spec: r.spec, ...(r.modalities ? { modalities: r.modalities } : {}) }, nowMs);
    } catch (err) {
      if (!(err instanceof OperationOutcomeError)) throw err;
      issues.push(...(err.outcome.issue ?? []));
    }
  }
  return issues;
}

function dedupe(issues: OperationOutcomeIssue[]): OperationOutcomeIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${i.details?.text}|${i.expression?.join(',')}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
