import { describe, expect, it } from '@jest/globals';
import { obxInterpretation, obxReferenceRange } from './obx-interpretation.js';
import { obxValue } from './obx-value.js';
import { fieldIn } from './transform-test-kit.js';

const value = (obx: string) => {
  const { field, ctx, issues } = fieldIn(obx, 5);
  return { v: obxValue(field, ctx), issues };
};

describe('obx-value', () => {
  it('NM → valueQuantity with the UCUM unit of OBX-6', () => {
    expect(value('OBX|1|NM|718-7^Hgb^LN||14.6|g/dL^g/dL^UCUM').v).toEqual({ valueQuantity: { value: 14.6, unit: 'g/dL', code: 'g/dL', system: 'http://unitsofmeasure.org' } });
  });
  it('NM that is not a number is an error naming segment, field and OBX-2', () => {
    const { v, issues } = value('OBX|1|NM|718-7^Hgb^LN||12,5|g/dL');
    expect(v).toBeUndefined();
    expect(issues).toEqual([{ severity: 'error', code: '102', location: 'OBX-5', text: '"12,5" is not a number (OBX-2 is NM)' }]);
  });
  it('NM with a comparator is read as SN with a warning', () => {
    const { v, issues } = value('OBX|1|NM|X^X^LN||<15|mg/L');
    expect(v).toEqual({ valueQuantity: { value: 15, unit: 'mg/L', code: 'mg/L', system: 'http://unitsofmeasure.org', comparator: '<' } });
    expect(issues[0]?.severity).toBe('warning');
  });
  it('ST/TX/FT → valueString, keeping raw component separators of free text', () => {
    expect(value('OBX|1|TX|X^X^LN||Line with ^ caret').v).toEqual({ valueString: 'Line with ^ caret' });
    expect(value('OBX|1|FT|X^X^LN||a\\.br\\b').v).toEqual({ valueString: 'a\nb' });
  });
  it('CWE → valueCodeableConcept', () => {
    expect(value('OBX|1|CWE|X^X^LN||260373001^Detected^SCT').v).toEqual({
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '260373001', display: 'Detected' }], text: 'Detected' },
    });
  });
  it('SN → Quantity with comparator, Range, Ratio, else text', () => {
    expect(value('OBX|1|SN|X^X^LN||>^10|mL').v).toEqual({ valueQuantity: { value: 10, unit: 'mL', code: 'mL', system: 'http://unitsofmeasure.org', comparator: '>' } });
    expect(value('OBX|1|SN|X^X^LN||^2^-^4').v).toEqual({ valueRange: { low: { value: 2 }, high: { value: 4 } } });
    expect(value('OBX|1|SN|X^X^LN||^1^:^128').v).toEqual({ valueRatio: { numerator: { value: 1 }, denominator: { value: 128 } } });
    expect(value('OBX|1|SN|X^X^LN||-^1^+^3').v).toEqual({ valueString: '- 1 + 3' });
  });
  it('DT/TS → valueDateTime in the facility zone', () => {
    expect(value('OBX|1|DT|X^X^LN||20240105').v).toEqual({ valueDateTime: '2024-01-05' });
    expect(value('OBX|1|TS|X^X^LN||202401051230').v).toEqual({ valueDateTime: '2024-01-05T12:30:00+01:00' });
  });
  it('ED → valueAttachment from base64 in OBX-5.5, whitespace removed', () => {
    expect(value('OBX|1|ED|X^X^LN||RIS^AP^PDF^Base64^JVBE RGEt').v).toEqual({ valueAttachment: { contentType: 'application/pdf', data: 'JVBERGEt' } });
    const broken = value('OBX|1|ED|X^X^LN||RIS^AP^PDF^Base64^<Base64 encoded>');
    expect(broken.v).toBeUndefined();
    expect(broken.issues).toHaveLength(1);
  });
  it('an unknown value type is kept as text with a warning on OBX-2', () => {
    const { v, issues } = value('OBX|1|RP|X^X^LN||https://pacs/x^^SD^PICT');
    expect(v).toEqual({ valueString: 'https://pacs/x^^SD^PICT' });
    expect(issues[0]).toEqual(expect.objectContaining({ severity: 'warning', location: 'OBX-2' }));
  });
});

describe('obx-interpretation and reference range', () => {
  it('maps abnormal flags (table 0078) to v3 ObservationInterpretation', () => {
    const { field, ctx } = fieldIn('OBX|1|NM|X||11.2|10*3/uL|4.5-11|H', 8);
    expect(obxInterpretation(field, ctx)).toEqual({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: 'H', display: 'High' }] });
  });
  it('parses ranges, bounds and keeps text', () => {
    const rr = (r: string) => { const { field, ctx } = fieldIn(`OBX|1|NM|X||1|mg|${r}`, 7); return obxReferenceRange(field, ctx); };
    const mg = { unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' };
    expect(rr('12-17.5')).toEqual({ low: { value: 12, ...mg }, high: { value: 17.5, ...mg }, text: '12-17.5' });
    expect(rr('<5')).toEqual({ high: { value: 5, ...mg }, text: '<5' });
    expect(rr('negative')).toEqual({ text: 'negative' });
  });
});
