import type { CodeableConcept, Dosage, Immunization, MedicationAdministration, MedicationDispense, MedicationRequest, Timing } from '@medplum/fhirtypes';
import type { Hl7v2Field, Hl7v2Segment } from '../../ingest/hl7v2/index.js';
import { cweComponents } from '../transforms/cwe-to-codeableconcept.js';
import { rawToDateTime } from '../transforms/dtm-to-datetime.js';
import { repeatPatternToTiming } from '../transforms/timing.js';
import { groupAfter, live, stepContext, type Assembly } from './assembly.js';

/** Segments that start the next pharmacy/treatment order or give/dispense/administration. */
const STOP = ['ORC', 'RXO', 'RXE', 'RXD', 'RXG', 'RXA'];

interface Route { route?: CodeableConcept; site?: CodeableConcept; method?: CodeableConcept }

/**
 * RXR and TQ1 follow the RXE/RXD/RXA they qualify (v2.5.1 ch. 4A), so a segment map, which reads
 * only earlier segments, cannot reach them. RXR-1 route, RXR-2 site, RXR-4 method (IG
 * RXR[MedicationRequest], RXR[Immunization]); TQ1-3 repeat pattern, TQ1-7/8 start/end (IG TQ1 map
 * "Under Construction": Sinew's), else the v2.3 RXE-1 TQ (TQ.2 interval, TQ.4/5 start/end).
 */
export function pharmacyDosage(a: Assembly): void {
  for (const e of live(a, 'MedicationRequest')) {
    const r = e.resource as MedicationRequest;
    const dosage: Dosage = r.dosageInstruction?.[0] ?? {};
    Object.assign(dosage, route(a, e.segment), timing(a, e.segment) ? { timing: timing(a, e.segment) } : {});
    if (Object.keys(dosage).length) r.dosageInstruction = [dosage, ...(r.dosageInstruction?.slice(1) ?? [])];
  }
  for (const e of live(a, 'MedicationDispense')) {
    const d = e.resource as MedicationDispense;
    const dosage: Dosage = { ...d.dosageInstruction?.[0], ...route(a, e.segment) };
    if (Object.keys(dosage).length) d.dosageInstruction = [dosage];
  }
  for (const e of live(a, 'MedicationAdministration')) {
    const m = e.resource as MedicationAdministration;
    const dosage = { ...m.dosage, ...route(a, e.segment) };
    if (Object.keys(dosage).length) m.dosage = dosage;
  }
  for (const e of live(a, 'Immunization')) {
    const { route: r, site } = route(a, e.segment);
    Object.assign(e.resource as Immunization, r ? { route: r } : {}, site ? { site } : {});
  }
}

function route(a: Assembly, seg: Hl7v2Segment): Route {
  const rxr = groupAfter(a.message, seg, STOP).find((s) => s.name === 'RXR');
  if (!rxr) return {};
  const cwe = (n: number) => cweComponents(rxr.field(n), a.mappings.vocabularies);
  const out: Route = {};
  const [r, site, method] = [cwe(1), cwe(2), cwe(4)];
  if (r) out.route = r;
  if (site) out.site = site;
  if (method) out.method = method;
  return out;
}

function timing(a: Assembly, seg: Hl7v2Segment): Timing | undefined {
  const orc = a.message.segments('ORC').filter((s) => s.index < seg.index).pop();
  const before = orc ? a.message.segments('TQ1').filter((s) => s.index > orc.index && s.index < seg.index) : [];
  const tq1 = groupAfter(a.message, seg, STOP).find((s) => s.name === 'TQ1') ?? before[0];
  if (tq1) return build(a, tq1.field(3).component(1), tq1, 7, tq1, 8);
  const tq = seg.name === 'RXE' ? seg.field(1) : undefined;
  return tq && !tq.isEmpty() ? build(a, tq.component(2, 1), seg, 1, seg, 1, tq) : undefined;
}

function build(a: Assembly, pattern: string, startSeg: Hl7v2Segment, startField: number, endSeg: Hl7v2Segment, endField: number, tq?: Hl7v2Field): Timing | undefined {
  const t = repeatPatternToTiming(pattern) ?? {};
  const when = (seg: Hl7v2Segment, n: number, component: number) => {
    const raw = tq ? tq.component(component) : seg.field(n).component(1);
    return rawToDateTime(raw, stepContext(a, seg, n));
  };
  const start = when(startSeg, startField, 4);
  const end = when(endSeg, endField, 5);
  if (start || end) t.repeat = { ...t.repeat, boundsPeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } };
  return Object.keys(t).length ? t : undefined;
}
