import { describe, expect, it } from '@jest/globals';
import { cweToCodeableConcept } from './cwe-to-codeableconcept.js';
import { dtToDate, dtmToDateTime, dtmToInstant } from './dtm-to-datetime.js';
import { encounterStatus } from './encounter-status.js';
import { fieldIn } from './transform-test-kit.js';
import { vocabularyCode, vocabularyCoding } from './vocabulary.js';

describe('cwe-to-codeableconcept', () => {
  it.each([
    ['LN', 'http://loinc.org'], ['SCT', 'http://snomed.info/sct'], ['I10', 'http://hl7.org/fhir/sid/icd-10'],
    ['ICD10CM', 'http://hl7.org/fhir/sid/icd-10-cm'], ['RXNORM', 'http://www.nlm.nih.gov/research/umls/rxnorm'],
    ['UCUM', 'http://unitsofmeasure.org'], ['HL70136', 'http://terminology.hl7.org/CodeSystem/v2-0136'],
  ])('maps coding system %s', (name, system) => {
    const { field, ctx } = fieldIn(`OBX|1|NM|X1^Thing^${name}`, 3);
    expect(cweToCodeableConcept(field, ctx)).toEqual({ coding: [{ system, code: 'X1', display: 'Thing' }], text: 'Thing' });
  });
  it('keeps the alternate coding, original text and local codes without a system', () => {
    const { field, ctx } = fieldIn('OBX|1|NM|718-7^Hgb^LN^HGB^Hemoglobin^99LOCAL^^^Hemoglobin, blood', 3);
    expect(cweToCodeableConcept(field, ctx)).toEqual({
      coding: [{ system: 'http://loinc.org', code: '718-7', display: 'Hgb' }, { code: 'HGB', display: 'Hemoglobin' }],
      text: 'Hemoglobin, blood',
    });
  });
});

describe('dtm-to-datetime', () => {
  it('takes the facility zone for a time without offset, DST-aware', () => {
    expect(dtmToDateTime(fieldIn('OBX|1|NM|X|||||||||||20240105123000', 14).field, fieldIn('OBX', 1).ctx)).toBe('2024-01-05T12:30:00+01:00');
    const { field, ctx } = fieldIn('OBX|1|NM|X|||||||||||20240705123000', 14, { zone: 'America/New_York' });
    expect(dtmToDateTime(field, ctx)).toBe('2024-07-05T12:30:00-04:00');
  });
  it('keeps a sent offset and the sent precision', () => {
    expect(dtmToDateTime(fieldIn('OBX|1|NM|X|||||||||||202401051230-0500', 14).field, fieldIn('OBX', 1).ctx)).toBe('2024-01-05T12:30:00-05:00');
    expect(dtmToDateTime(fieldIn('OBX|1|NM|X|||||||||||202401', 14).field, fieldIn('OBX', 1).ctx)).toBe('2024-01');
  });
  it('reports a bad value with its location', () => {
    const { field, ctx, issues } = fieldIn('OBX|1|NM|X|||||||||||2024013', 14);
    expect(dtmToDateTime(field, ctx)).toBeUndefined();
    expect(issues).toEqual([expect.objectContaining({ severity: 'error', code: '102', location: 'OBX-14', text: expect.stringContaining('"2024013"') })]);
  });
  it('instant needs a time; date drops it; year 0000 is refused', () => {
    const day = fieldIn('OBX|1|NM|X|||||||||||20240105', 14);
    expect(dtmToInstant(day.field, day.ctx)).toBeUndefined();
    expect(day.issues[0]?.severity).toBe('warning');
    expect(dtToDate(fieldIn('PID|1||1||||20240105123000', 7).field, fieldIn('PID', 1).ctx)).toBe('2024-01-05');
    const zero = fieldIn('PID|1||1||||00000101', 7);
    expect(dtToDate(zero.field, zero.ctx)).toBeUndefined();
    expect(zero.issues[0]?.text).toContain('year 0000');
  });
});

describe('vocabulary lookups', () => {
  it('maps AdministrativeSex and PatientClass from the IG concept maps', () => {
    const sex = fieldIn('PID|1||1||||19800101|F', 8, { vocabulary: 'AdministrativeSex' });
    expect(vocabularyCode(sex.field, sex.ctx)).toBe('female');
    const cls = fieldIn('PV1|1|E', 2, { vocabulary: 'PatientClass' });
    expect(vocabularyCoding(cls.field, cls.ctx)).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'EMER', display: 'emergency' });
  });
  it('reports an unknown code as table value not found (0357 code 103)', () => {
    const { field, ctx, issues } = fieldIn('PID|1||1||||19800101|M-', 8, { vocabulary: 'AdministrativeSex' });
    expect(vocabularyCode(field, ctx)).toBeUndefined();
    expect(issues[0]).toEqual(expect.objectContaining({ code: '103', location: 'PID-8', text: expect.stringContaining('"M-"') }));
  });
});

describe('encounter-status', () => {
  const status = (type: string, pv1 = 'PV1|1|I'): string | undefined => {
    const { ctx } = fieldIn(pv1, 2, { type });
    return encounterStatus(ctx.message.header.field(9), ctx);
  };
  const discharged = `PV1|1|I${'|'.repeat(42)}20240105|20240106`;
  it('follows the IG Event[EncounterStatus] map by trigger', () => {
    expect(status('ADT^A01')).toBe('in-progress');
    expect(status('ADT^A04')).toBe('planned');
    expect(status('ADT^A03')).toBe('finished');
    expect(status('ADT^A11')).toBe('cancelled');
  });
  it('says finished when PV1-45 is present and never unknown for A08 or non-ADT messages', () => {
    expect(status('ADT^A08')).toBe('in-progress');
    expect(status('ORU^R01')).toBe('in-progress');
    expect(status('ADT^A08', discharged)).toBe('finished');
  });
});
