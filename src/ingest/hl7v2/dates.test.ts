import { describe, it, expect } from '@jest/globals';
import { OperationOutcomeError } from '../../fhir/outcomes.js';
import { formatHl7DateTime, hl7ToFhirDate, hl7ToFhirDateTime } from './dates.js';

const dt = (v: string, zone = 'Europe/Berlin'): ReturnType<typeof hl7ToFhirDateTime> => hl7ToFhirDateTime(v, zone);

describe('hl7ToFhirDateTime', () => {
  it('keeps date precision without inventing a time', () => {
    expect(dt('2024')).toEqual({ value: '2024', precision: 'year' });
    expect(dt('202401')).toEqual({ value: '2024-01', precision: 'month' });
    expect(dt('20240105')).toEqual({ value: '2024-01-05', precision: 'day' });
    expect(dt('20240105+0100')).toEqual({ value: '2024-01-05', precision: 'day' });
  });

  it("uses the message's own offset", () => {
    expect(dt('20240105123045+0100')).toEqual({ value: '2024-01-05T12:30:45+01:00', precision: 'second' });
    expect(dt('20240105123045-05')).toEqual({ value: '2024-01-05T12:30:45-05:00', precision: 'second' });
    expect(dt('20240105123045+00')).toEqual({ value: '2024-01-05T12:30:45+00:00', precision: 'second' });
    expect(dt('198908181126+0215')).toEqual({ value: '1989-08-18T11:26:00+02:15', precision: 'minute' });
  });

  it('takes the zone offset at that instant, DST-aware', () => {
    expect(dt('20240105123045').value).toBe('2024-01-05T12:30:45+01:00');
    expect(dt('20240705123045').value).toBe('2024-07-05T12:30:45+02:00');
    expect(dt('20240705123045', 'America/New_York').value).toBe('2024-07-05T12:30:45-04:00');
    expect(dt('20241215', 'America/New_York').value).toBe('2024-12-15');
    expect(dt('20240705123045', 'UTC').value).toBe('2024-07-05T12:30:45+00:00');
    // The night of the switch to summer time in Berlin (02:00 → 03:00 on 2024-03-31).
    expect(dt('202403310130').value).toBe('2024-03-31T01:30:00+01:00');
    expect(dt('202403310330').value).toBe('2024-03-31T03:30:00+02:00');
    expect(dt('20240705123045', 'Asia/Kolkata').value).toBe('2024-07-05T12:30:45+05:30');
  });

  it('pads hour and minute precision to seconds but reports the precision', () => {
    expect(dt('2024010512', 'UTC')).toEqual({ value: '2024-01-05T12:00:00+00:00', precision: 'hour' });
    expect(dt('202401051230', 'UTC')).toEqual({ value: '2024-01-05T12:30:00+00:00', precision: 'minute' });
  });

  it('keeps fractional seconds', () => {
    expect(dt('20240105123045.1234+0100')).toEqual({ value: '2024-01-05T12:30:45.1234+01:00', precision: 'fraction' });
  });

  it.each(['20241305', '2024010', '20240230', '2024010525', '202401051260', 'abc', '', '20240105123045+2500', '202401051230.5'])(
    'rejects %p naming the value',
    (v) => {
      expect(() => dt(v)).toThrow(OperationOutcomeError);
      try {
        dt(v);
      } catch (err) {
        expect(JSON.stringify((err as OperationOutcomeError).outcome)).toContain(`'${v}'`);
      }
    },
  );

  it('rejects an unknown zone', () => {
    expect(() => dt('20240105123045', 'Mars/Olympus')).toThrow(OperationOutcomeError);
  });
});

describe('hl7ToFhirDate', () => {
  it('returns the date part at its precision', () => {
    expect(hl7ToFhirDate('19800101')).toBe('1980-01-01');
    expect(hl7ToFhirDate('198001')).toBe('1980-01');
    expect(hl7ToFhirDate('198001011200+0100')).toBe('1980-01-01');
    expect(() => hl7ToFhirDate('19800132')).toThrow(OperationOutcomeError);
  });
});

describe('formatHl7DateTime', () => {
  it('formats UTC with an explicit +0000', () => {
    expect(formatHl7DateTime(new Date('2024-07-05T10:30:45.123Z'))).toBe('20240705103045+0000');
  });
});
