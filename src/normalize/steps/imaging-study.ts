import type { DiagnosticReport, Identifier, ImagingStudy, ServiceRequest } from '@medplum/fhirtypes';
import type { Hl7v2Segment } from '../../ingest/hl7v2/index.js';
import { accessionIdentifier } from '../transforms/order-identifiers.js';
import { eiToPlacerIdentifier } from '../transforms/simple.js';
import { groupAfter, live, ref, type Assembly } from './assembly.js';
import { IMAGING_SECTIONS } from './report-steps.js';

const ACSN = (i: Identifier) => i.type?.coding?.some((c) => c.code === 'ACSN');
const IMAGING_CATEGORY = { coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imaging' }] };

/**
 * Imaging orders (ORM with ZDS, OMI with IPC; no IG map exists): the ServiceRequest gets the
 * accession number (IPC-1, else OBR-18 as IHE RAD Scheduled Workflow sends it) as an ACSN
 * identifier and category Imaging, and the ImagingStudy (status registered) the same accession
 * when its own segment did not carry one.
 */
export function imagingOrder(a: Assembly): void {
  const studies = live(a, 'ImagingStudy');
  for (const e of live(a, 'ServiceRequest')) {
    const obr = e.segment;
    const group = groupAfter(a.message, obr, ['ORC', 'OBR']);
    const ipc = group.find((s) => s.name === 'IPC');
    const imaging = ipc || group.some((s) => s.name === 'ZDS') || IMAGING_SECTIONS.has(obr.field(24).component(1));
    if (!imaging) continue;
    const sr = e.resource as ServiceRequest;
    const accession = ipc?.field(1).component(1) ? accessionIdentifier(ipc.field(1)) : obr18Accession(a, obr);
    if (accession && !sr.identifier?.some((i) => ACSN(i) && i.value === accession.value)) sr.identifier = [...(sr.identifier ?? []), accession];
    sr.category = [IMAGING_CATEGORY];
    for (const s of studies.filter((x) => group.includes(x.segment))) {
      const study = s.resource as ImagingStudy;
      if (accession && !study.identifier?.some(ACSN)) study.identifier = [...(study.identifier ?? []), accession];
      if (sr.code && !study.procedureCode) study.procedureCode = [structuredClone(sr.code)];
    }
  }
}

/**
 * Radiology reports (ORU with a ZDS Study Instance UID): the DiagnosticReport of the OBR before the
 * ZDS lists the ImagingStudy; the study (status available: a report exists) gets the report's
 * accession and code. The order is referenced by its placer number, not a literal reference: the
 * ServiceRequest is not part of an ORU, and the study's id (from the UID) is the one the order
 * message used, so the two meet.
 */
export function imagingStudyLinks(a: Assembly): void {
  const reports = live(a, 'DiagnosticReport');
  for (const s of live(a, 'ImagingStudy')) {
    const study = s.resource as ImagingStudy;
    const report = reports.filter((r) => r.segment.index < s.segment.index).pop();
    if (!report) continue;
    const dr = report.resource as DiagnosticReport;
    const link = ref(s.resource);
    if (!dr.imagingStudy?.some((x) => x.reference === link.reference)) dr.imagingStudy = [...(dr.imagingStudy ?? []), link];
    const accession = dr.identifier?.find(ACSN);
    if (accession && !study.identifier?.some(ACSN)) study.identifier = [...(study.identifier ?? []), structuredClone(accession)];
    if (dr.code && !study.procedureCode) study.procedureCode = [structuredClone(dr.code)];
    const placer = placerOf(a, report.segment);
    if (placer) study.basedOn = [{ type: 'ServiceRequest', identifier: placer }];
  }
}

/**
 * OBR-18 is an ST without an authority; the report side (report-steps imagingIdentifiers) scopes it
 * by the filler's namespace (OBR-3.2), so the order does the same and both carry one identifier.
 */
function obr18Accession(a: Assembly, obr: Hl7v2Segment): Identifier | undefined {
  const id = accessionIdentifier(obr.field(18));
  const orc = a.message.segments('ORC').filter((s) => s.index < obr.index).pop();
  const ns = obr.field(3).component(2) || orc?.field(3).component(2);
  return id && !id.system && ns ? { ...id, system: `urn:sinew:assigning-authority:${encodeURIComponent(ns)}` } : id;
}

function placerOf(a: Assembly, obr: Hl7v2Segment): Identifier | undefined {
  const orc = a.message.segments('ORC').filter((s) => s.index < obr.index).pop();
  const field = orc?.field(2).component(1) ? orc.field(2) : obr.field(2);
  return eiToPlacerIdentifier(field);
}
