import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { Hl7v2Message } from '../ingest/hl7v2/index.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { convertMessage, type ConvertContext } from './convert-message.js';
import { loadMappings } from './load-mappings.js';
import { rxaImmunizationStatus, rxaPrimarySource } from './transforms/administration-status.js';
import { appointmentStatus } from './transforms/appointment-status.js';
import { accessionIdentifier, dicomUidIdentifier, obrPlacerIdentifier } from './transforms/order-identifiers.js';
import { orcToMedicationStatus, orcToRequestStatus } from './transforms/order-status.js';
import { eipToIdentifiers, schDurationMinutes } from './transforms/numbers.js';
import { rxeDoseQuantity } from './transforms/quantities.js';
import { addMinutes, repeatPatternToTiming, toInstant } from './transforms/timing.js';
import { fieldIn } from './transforms/transform-test-kit.js';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/hl7v2');
const ctx: ConvertContext = { defaultZone: 'America/New_York', zoneFor: () => undefined, mappings: loadMappings(path.join(REPO_ROOT, 'mappings/hl7v2')) };
const convert = (file: string): Bundle => convertMessage(Hl7v2Message.parse(readFileSync(path.join(FIXTURES, file), 'utf8')), ctx).bundle;
const ofType = <T extends Resource>(b: Bundle, type: string): T[] => (b.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];

describe('order and pharmacy transforms', () => {
  it('takes ORC-5 over ORC-1 and maps revoked per resource', () => {
    const cm = fieldIn('ORC|NW|P1|||CM', 1, { type: 'ORM^O01^ORM_O01' });
    expect(orcToRequestStatus(cm.field, cm.ctx)).toBe('completed');
    const ca = fieldIn('ORC|OC|P1', 1, { type: 'ORM^O01^ORM_O01' });
    expect(orcToRequestStatus(ca.field, ca.ctx)).toBe('revoked');
    expect(orcToMedicationStatus(ca.field, ca.ctx)).toBe('cancelled');
    const dc = fieldIn('ORC|DC|P1||DC', 1, { type: 'RDE^O11^RDE_O11' });
    expect(orcToMedicationStatus(dc.field, dc.ctx)).toBe('stopped');
  });

  it('maps OBR-2 only when ORC-2 is empty (IG condition)', () => {
    const both = fieldIn('OBR|1|P1^NS', 2, { before: ['ORC|NW|P1^NS'] });
    expect(obrPlacerIdentifier(both.field, both.ctx)).toBeUndefined();
    const only = fieldIn('OBR|1|P1^NS', 2, { before: ['ORC|NW'] });
    expect(obrPlacerIdentifier(only.field, only.ctx)?.value).toBe('P1');
  });

  it('types accession numbers and checks DICOM UIDs', () => {
    expect(accessionIdentifier(fieldIn('IPC|ACC1^RAD', 1).field)?.type?.coding?.[0]?.code).toBe('ACSN');
    const bad = fieldIn('ZDS|not-a-uid', 1);
    expect(dicomUidIdentifier(bad.field, bad.ctx)).toBeUndefined();
    expect(bad.issues).toHaveLength(1);
    expect(dicomUidIdentifier(fieldIn('ZDS|1.2.3^RIS', 1).field, bad.ctx)).toEqual({ system: 'urn:dicom:uid', value: 'urn:oid:1.2.3' });
  });

  it('reads dose with its UCUM units and drops RXA-6 999', () => {
    const rxe = fieldIn('RXE||123^x^RXNORM|2.5||mg^mg^UCUM', 3);
    expect(rxeDoseQuantity(rxe.field, rxe.ctx)).toEqual({ value: 2.5, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' });
    const unknown = fieldIn('RXA|0|1|20240101|20240101|141^x^CVX|999|mL^mL^UCUM', 6);
    expect(rxeDoseQuantity(unknown.field, unknown.ctx)).toBeUndefined();
  });

  it('derives immunization status from RXA-20/21 and primary source from RXA-9', () => {
    const refused = fieldIn('RXA|0|1|20240101|20240101|141^x^CVX|999||||||||||||||RE', 1);
    expect(rxaImmunizationStatus(refused.field, refused.ctx)).toBe('not-done');
    const deleted = fieldIn('RXA|0|1|20240101|20240101|141^x^CVX|999||||||||||||||CP|D', 1);
    expect(rxaImmunizationStatus(deleted.field, deleted.ctx)).toBe('entered-in-error');
    expect(rxaPrimarySource(fieldIn('RXA|0|1|||||||01^Historical^NIP001', 9).field)).toBe(false);
  });

  it('turns repeat patterns into Timing and keeps the v2 code', () => {
    expect(repeatPatternToTiming('Q8H')?.repeat).toEqual({ frequency: 1, period: 8, periodUnit: 'h' });
    expect(repeatPatternToTiming('BID')?.repeat).toEqual({ frequency: 2, period: 1, periodUnit: 'd' });
    expect(repeatPatternToTiming('PRN')).toEqual({ code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0335', code: 'PRN' }], text: 'PRN' } });
  });
});

describe('scheduling and specimen transforms', () => {
  it('lets a cancel trigger win over a stale SCH-25 and maps SCH-25 otherwise', () => {
    const base = fieldIn('SCH|1', 1).ctx;
    const s15 = Hl7v2Message.parse('MSH|^~\\&|A|B|C|D|1||SIU^S15^SIU_S12|C|P|2.5.1\rSCH|1|2|||||||||||||||||||||||Booked');
    expect(appointmentStatus(s15.header.field(9), { ...base, message: s15 })).toBe('cancelled');
    const s12 = Hl7v2Message.parse('MSH|^~\\&|A|B|C|D|1||SIU^S12^SIU_S12|C|P|2.5.1\rSCH|1|2|||||||||||||||||||||||Pending');
    expect(appointmentStatus(s12.header.field(9), { ...base, message: s12 })).toBe('pending');
  });

  it('converts SCH-9 with SCH-10 units to minutes and splits SPM-2 into placer and filler', () => {
    const hours = fieldIn('SCH|1|2|||||||2|h', 9);
    expect(schDurationMinutes(hours.field, hours.ctx)).toBe(120);
    expect(eipToIdentifiers(fieldIn('SPM|1|P1&NS^F1&LAB', 2).field)?.map((i) => [i.type?.coding?.[0]?.code, i.value])).toEqual([['PLAC', 'P1'], ['FILL', 'F1']]);
  });

  it('adds minutes keeping the offset and gives instants seconds', () => {
    expect(addMinutes('2024-03-25T23:45:00-04:00', 30)).toBe('2024-03-26T00:15:00-04:00');
    expect(toInstant('2024-03-25T10:00-04:00')).toBe('2024-03-25T10:00:00-04:00');
  });
});

describe('messages that must meet on the same resource', () => {
  it('RDS and RAS point at the MedicationRequest the RDE created', () => {
    const [order] = ofType(convert('RDE_O11/rde-amlodipine.hl7'), 'MedicationRequest');
    const [dispense] = ofType<{ authorizingPrescription: { reference: string }[] } & Resource>(convert('RDS_O13/dispense.hl7'), 'MedicationDispense');
    const [given] = ofType<{ request: { reference: string } } & Resource>(convert('RAS_O17/administration.hl7'), 'MedicationAdministration');
    expect(dispense!.authorizingPrescription[0]!.reference).toBe(`MedicationRequest/${order!.id}`);
    expect(given!.request.reference).toBe(`MedicationRequest/${order!.id}`);
  });

  it('an ORM imaging order and its ORU report share one ImagingStudy', () => {
    const [ordered] = ofType(convert('ORM_O01/rad-order.hl7'), 'ImagingStudy');
    const [reported] = ofType(convert('ORU_R01/radiology-report.hl7'), 'ImagingStudy');
    expect(reported!.id).toBe(ordered!.id);
  });

  it('an addendum relates to the document it appends; an S13 updates the S12 appointment', () => {
    const [parent] = ofType(convert('MDM_T02/t04-status-change.hl7'), 'DocumentReference');
    const [addendum] = ofType<{ relatesTo: { target: { reference: string } }[] } & Resource>(convert('MDM_T02/t06-addendum.hl7'), 'DocumentReference');
    expect(addendum!.relatesTo[0]!.target.reference).toBe(`DocumentReference/${parent!.id}`);
    expect(ofType(convert('SIU_S12/s13-reschedule.hl7'), 'Appointment')[0]!.id).toBe(ofType(convert('SIU_S12/s12-book.hl7'), 'Appointment')[0]!.id);
  });

  it('A13 clears the discharge time PV1-45 still carries; A28 stores no Encounter', () => {
    const [enc] = ofType<{ period?: { end?: string }; status: string } & Resource>(convert('ADT_A01/a13-cancel-discharge.hl7'), 'Encounter');
    expect(enc!.period?.end).toBeUndefined();
    expect(enc!.status).toBe('in-progress');
    expect(ofType(convert('ADT_A05/a28-add-person.hl7'), 'Encounter')).toEqual([]);
  });
});
