import type { Resource } from '@medplum/fhirtypes';
import { DEFAULT_MODALITY_RULES, modalityOf, type ModalityRules } from './modality-rules.js';
import { availableAt, type NewTimelineEvent } from './new-timeline-event.js';
import type { EventValue, TimelineCoding, TimelineSource } from './timeline-event.js';

export interface EventsFromResourceContext {
  versionId: string;
  receivedAt: Date;
  /** `sinew import` / `sinew pull`: available_at is the source's recorded time (see availableAt). */
  backfill: boolean;
  source: TimelineSource;
  /** The message's own recorded time (MSH-7), used when the resource carries none. */
  sourceRecordedAt?: Date;
  rules?: ModalityRules;
}

/** FHIR JSON read structurally: these resource types share element names but not TypeScript types. */
type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.flatMap((x: unknown) => { const o = obj(x); return o ? [o] : []; }) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function instant(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

interface Span {
  start?: string;
  end?: string;
}

/** `x[choice]` as a span: dateTime/instant → a point; Period → start/end. */
function choiceSpan(r: Json, base: string): Span {
  const point = instant(r[`${base}DateTime`]) ?? instant(r[`${base}Instant`]);
  if (point) return { start: point };
  const period = obj(r[`${base}Period`]);
  if (period) return { start: instant(period.start), end: instant(period.end) };
  return {};
}

function firstCoding(concept: unknown): { coding?: TimelineCoding; text?: string } {
  const c = obj(concept);
  const coding = arr(c?.coding).find((x) => str(x.code));
  return {
    ...(coding ? { coding: { system: str(coding.system) ?? '', code: str(coding.code) as string, ...(str(coding.display) ? { display: str(coding.display) } : {}) } } : {}),
    ...(str(c?.text) ? { text: str(c?.text) } : {}),
  };
}

function categoryCodes(r: Json): string[] {
  return arr(r.category).flatMap((c) => arr(c.coding).flatMap((x) => str(x.code) ?? []));
}

function valueOf(r: Json): { value?: EventValue; unit?: string } {
  const q = obj(r.valueQuantity);
  if (q && typeof q.value === 'number') return { value: q.value, ...(str(q.unit) ?? str(q.code) ? { unit: str(q.unit) ?? str(q.code) } : {}) };
  if (typeof r.valueInteger === 'number') return { value: r.valueInteger };
  if (typeof r.valueBoolean === 'boolean') return { value: r.valueBoolean };
  if (str(r.valueString)) return { value: str(r.valueString) as string };
  const cc = firstCoding(r.valueCodeableConcept);
  if (cc.coding) return { value: cc.coding };
  if (cc.text) return { value: cc.text };
  return {};
}

function refId(v: unknown, type: string): string | undefined {
  const ref = str(obj(v)?.reference);
  const m = ref ? new RegExp(`(?:^|/)${type}/([^/]+)`).exec(ref) : null;
  return m?.[1];
}

/** Clinical span, source-recorded time, code and encounter per resource type (fusion.md §2). */
function describe(r: Json, type: string): { span: Span; recorded?: string; concept: unknown; encounter?: string; status?: string } {
  const enc = refId(r.encounter, 'Encounter') ?? refId(r.context, 'Encounter');
  switch (type) {
    case 'Observation':
      return { span: choiceSpan(r, 'effective'), recorded: instant(r.issued), concept: r.code, encounter: enc };
    case 'DiagnosticReport':
      return { span: choiceSpan(r, 'effective'), recorded: instant(r.issued), concept: r.code, encounter: enc };
    case 'ImagingStudy':
      return { span: { start: instant(r.started) }, concept: arr(r.procedureCode)[0] ?? { coding: arr(r.modality) }, encounter: enc };
    case 'DocumentReference': {
      const ctx = obj(r.context);
      const period = obj(ctx?.period);
      return {
        span: { start: instant(period?.start) ?? instant(r.date), end: instant(period?.end) },
        recorded: instant(r.date),
        concept: r.type,
        encounter: refId(arr(ctx?.encounter)[0], 'Encounter'),
      };
    }
    case 'Composition':
      return { span: { start: instant(r.date) }, recorded: instant(r.date), concept: r.type, encounter: enc };
    case 'MedicationRequest': {
      const bounds = obj(obj(obj(arr(r.dosageInstruction)[0]?.timing)?.repeat)?.boundsPeriod);
      return { span: { start: instant(bounds?.start) ?? instant(r.authoredOn), end: instant(bounds?.end) }, recorded: instant(r.authoredOn), concept: r.medicationCodeableConcept, encounter: enc };
    }
    case 'MedicationStatement':
      return { span: choiceSpan(r, 'effective'), recorded: instant(r.dateAsserted), concept: r.medicationCodeableConcept, encounter: enc };
    case 'MedicationAdministration':
      return { span: choiceSpan(r, 'effective'), concept: r.medicationCodeableConcept, encounter: enc };
    case 'MedicationDispense':
      return { span: { start: instant(r.whenHandedOver) ?? instant(r.whenPrepared) }, concept: r.medicationCodeableConcept, encounter: enc };
    case 'Condition': {
      const onset = choiceSpan(r, 'onset');
      const abatement = choiceSpan(r, 'abatement');
      const verification = firstCoding(r.verificationStatus).coding?.code;
      const clinical = firstCoding(r.clinicalStatus).coding?.code;
      return {
        span: { start: onset.start ?? instant(r.recordedDate), end: abatement.end ?? abatement.start },
        recorded: instant(r.recordedDate),
        concept: r.code,
        encounter: enc,
        // For Condition the row status is the clinical status (timeline-event.ts); a retraction wins.
        status: verification === 'entered-in-error' ? 'entered-in-error' : (clinical ?? 'unknown'),
      };
    }
    default:
      return { span: {}, concept: undefined };
  }
}

/**
 * The timeline rows one FHIR resource version becomes (issue 5 §1): one row per fact, Observation
 * components expanded into their own rows. Encounter is not a fact (it drives encounter-state) and
 * resources no modality rule claims, or without a Patient subject, give no rows. Pure.
 */
export function eventsFromResource(resource: Resource, ctx: EventsFromResourceContext): NewTimelineEvent[] {
  const r = resource as unknown as Json;
  const type = resource.resourceType;
  const patientRecord = refId(r.subject, 'Patient') ?? refId(r.patient, 'Patient');
  const resourceId = str(r.id);
  if (type === 'Encounter' || !patientRecord || !resourceId) return [];
  const cats = categoryCodes(r);
  const placed = modalityOf(type, cats, ctx.rules ?? DEFAULT_MODALITY_RULES);
  if (!placed) return [];
  const d = describe(r, type);
  const recorded = d.recorded ?? (ctx.sourceRecordedAt ? ctx.sourceRecordedAt.toISOString() : undefined);
  const avail = availableAt(recorded ? new Date(recorded) : undefined, ctx.receivedAt, ctx.backfill);
  // A fact without any clinical time is placed when its source recorded it, else when it arrived.
  const clinicalStart = d.span.start ?? recorded ?? ctx.receivedAt.toISOString();
  const clinicalEnd = d.span.end && Date.parse(d.span.end) >= Date.parse(clinicalStart) ? d.span.end : undefined;
  const main = firstCoding(d.concept);
  const base: Omit<NewTimelineEvent, 'factKey'> = {
    patientRecord,
    ...(d.encounter ? { encounterId: d.encounter } : {}),
    modality: placed.modality,
    resourceType: type,
    resourceId,
    versionId: ctx.versionId,
    ...(main.coding ? { code: main.coding } : {}),
    ...(placed.category !== undefined ? { category: placed.category } : {}),
    clinicalStart,
    ...(clinicalEnd ? { clinicalEnd } : {}),
    ...(recorded ? { sourceRecordedAt: recorded } : {}),
    receivedAt: ctx.receivedAt.toISOString(),
    availableAt: avail.at.toISOString(),
    availableRule: avail.rule,
    status: d.status ?? str(r.status) ?? 'unknown',
    source: ctx.source,
    resource,
  };
  const own = type === 'Observation' || type === 'DiagnosticReport' ? valueOf(type === 'DiagnosticReport' ? { valueString: r.conclusion } : r) : {};
  const components = type === 'Observation' ? arr(r.component) : [];
  const rows: NewTimelineEvent[] = [];
  if (components.length === 0 || own.value !== undefined) rows.push({ ...base, factKey: '', ...own });
  for (const c of components) {
    const cc = firstCoding(c.code);
    if (!cc.coding) continue;
    rows.push({ ...base, factKey: `${cc.coding.system}|${cc.coding.code}`, code: cc.coding, ...valueOf(c) });
  }
  return rows.length > 0 ? rows : [{ ...base, factKey: '' }];
}
