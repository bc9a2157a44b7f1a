import type { Attachment, DiagnosticReport, Observation } from '@medplum/fhirtypes';
import { ERROR_CODES } from '../convert-issue.js';
import { base64, live, segmentLocation, type AssembledEntry, type Assembly } from './assembly.js';

/** LOINC codes whose text is a report's impression (DiagnosticReport.conclusion). */
const IMPRESSION_LOINC = new Set(['19005-8', '59776-5', '18834-2']);
/** Table 0074 sections that are imaging (Observation.category `imaging`). */
export const IMAGING_SECTIONS = new Set(['RAD', 'RUS', 'RX', 'CT', 'CTH', 'MR', 'NMR', 'NMS', 'US', 'CUS', 'OUS', 'VUS', 'XRC', 'RC', 'PET', 'MG', 'DX', 'CR', 'XA', 'NM']);

/**
 * Several TX/FT/ST OBX lines with the same OBX-3 and OBX-4 under one OBR are one report text
 * sent line by line; they share a deterministic id, so they become one Observation with the
 * lines joined by newlines (LinuxForHealth #294).
 */
export function joinTextObservations(a: Assembly): void {
  const seen = new Map<string, Observation>();
  for (const e of live(a, 'Observation')) {
    const obs = e.resource as Observation;
    const first = seen.get(obs.id!);
    const text = isText(e.segment.field(2).component(1));
    if (!first) {
      seen.set(obs.id!, obs);
      if (!obs.code) codeFromReport(a, e.segment, obs, text);
      continue;
    }
    if (text && !Object.keys(first).some((k) => k.startsWith('value') && k !== 'valueString')) {
      first.valueString = [first.valueString, obs.valueString].filter((s) => s !== undefined).join('\n');
    } else {
      a.issue('warning', ERROR_CODES.dataType, segmentLocation(a.message, e.segment), `repeats OBX-3/OBX-4 of an earlier OBX with a non-text value; the earlier one is kept`);
    }
    e.dropped = true;
  }
}

const isText = (type: string): boolean => type === 'TX' || type === 'FT' || type === 'ST';

/**
 * Report text sent with no OBX-3 at all (LinuxForHealth ORU-multiline samples) is the report's own
 * text: it takes OBR-4 as its code. Any other OBX without OBX-3 cannot become an Observation.
 */
function codeFromReport(a: Assembly, seg: AssembledEntry['segment'], obs: Observation, text: boolean): void {
  const location = `${segmentLocation(a.message, seg)}-3`;
  const report = text ? live(a, 'DiagnosticReport').filter((r) => r.segment.index < seg.index).pop() : undefined;
  const code = (report?.resource as DiagnosticReport | undefined)?.code;
  if (!code) {
    a.issue('error', ERROR_CODES.requiredFieldMissing, location, 'OBX-3 is empty; Observation.code is required');
    return;
  }
  obs.code = structuredClone(code);
  a.issue('warning', ERROR_CODES.requiredFieldMissing, location, 'OBX-3 is empty; report text takes OBR-4 as its code');
}

/**
 * Per DiagnosticReport: the text of its results becomes presentedForm (text/plain) and the
 * impression lines its conclusion; ED results (no R4 Observation.value type holds an Attachment)
 * move to presentedForm and their Observation is dropped.
 */
export function reportText(a: Assembly): void {
  const byRef = new Map(live(a, 'Observation').map((e) => [`Observation/${e.resource.id}`, e]));
  for (const e of live(a, 'DiagnosticReport')) {
    const report = e.resource as DiagnosticReport;
    const kept: NonNullable<DiagnosticReport['result']> = [];
    const lines: string[] = [];
    const conclusion: string[] = [];
    const forms: Attachment[] = [];
    const seenRefs = new Set<string>();
    for (const r of report.result ?? []) {
      if (seenRefs.has(r.reference ?? '')) continue;
      seenRefs.add(r.reference ?? '');
      const obsEntry = byRef.get(r.reference ?? '');
      if (!obsEntry) continue;
      const obs = obsEntry.resource as Observation & { valueAttachment?: Attachment };
      if (obs.valueAttachment) {
        forms.push(obs.valueAttachment);
        obsEntry.dropped = true;
        continue;
      }
      kept.push(r);
      const type = obsEntry.segment.field(2).component(1);
      if (typeof obs.valueString === 'string' && ['TX', 'FT'].includes(type)) {
        lines.push(obs.valueString);
        if (obs.code?.coding?.some((c) => IMPRESSION_LOINC.has(c.code ?? ''))) conclusion.push(obs.valueString);
      }
    }
    if (kept.length) report.result = kept;
    else delete report.result;
    if (lines.length) forms.unshift({ contentType: 'text/plain; charset=utf-8', data: base64(lines.join('\n')) });
    if (forms.length) report.presentedForm = forms;
    if (conclusion.length) report.conclusion = conclusion.join('\n');
  }
}

/** Observation.category: vital-signs by LOINC (VitalSignsLoinc), imaging by OBR-24, else laboratory (ORU). */
export function observationCategory(a: Assembly): void {
  const vitals = a.mappings.vocabularies.get('VitalSignsLoinc')?.codes ?? {};
  const cat = (code: string, display: string) => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code, display }] });
  for (const e of live(a, 'Observation')) {
    const obs = e.resource as Observation;
    const loinc = obs.code?.coding?.find((c) => c.system === 'http://loinc.org' && vitals[c.code ?? '']);
    if (loinc) {
      obs.category = [cat('vital-signs', 'Vital Signs')];
      continue;
    }
    const obr = a.message.segments('OBR').filter((s) => s.index < e.segment.index).pop();
    if (!obr) continue;
    const section = obr.field(24).component(1);
    obs.category = [IMAGING_SECTIONS.has(section) ? cat('imaging', 'Imaging') : cat('laboratory', 'Laboratory')];
  }
}

/**
 * Imaging reports: the accession number (OBR-18, else the filler order number of an imaging
 * section) as an ACSN identifier, and the DICOM Study Instance UID from ZDS-1 (IHE RAD
 * convention) as urn:dicom:uid.
 */
export function imagingIdentifiers(a: Assembly): void {
  for (const e of live(a, 'DiagnosticReport')) {
    const report = e.resource as DiagnosticReport;
    const obr = e.segment;
    const imaging = IMAGING_SECTIONS.has(obr.field(24).component(1));
    const accession = obr.field(18).component(1) || (imaging ? obr.field(3).component(1) : '');
    const ids = report.identifier ?? [];
    if (accession) {
      ids.push({
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'ACSN', display: 'Accession ID' }] },
        ...(obr.field(3).component(2) ? { system: `urn:sinew:assigning-authority:${encodeURIComponent(obr.field(3).component(2))}` } : {}),
        value: accession,
      });
    }
    const next = a.message.segments().find((s) => s.index > obr.index && (s.name === 'OBR' || s.name === 'ZDS'));
    const uid = next?.name === 'ZDS' ? next.field(1).component(1).trim() : '';
    if (uid && /^\d+(?:\.\d+)+$/.test(uid)) ids.push({ system: 'urn:dicom:uid', value: `urn:oid:${uid}` });
    if (ids.length) report.identifier = ids;
  }
}

