import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { Hl7v2Message } from '../ingest/hl7v2/index.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { convertMessage } from './convert-message.js';
import { loadMappings } from './load-mappings.js';
import { deterministicId } from './resource-ids.js';

const mappings = loadMappings(path.join(REPO_ROOT, 'mappings/hl7v2'));
const ctx = { defaultZone: 'UTC', zoneFor: () => undefined, mappings };
const ids = (b: Bundle) => (b.entry ?? []).map((e) => e.request?.url).filter((u) => !u?.startsWith('Provenance')).sort();

const oru = (ctrl: string, status: string, value: string) => Hl7v2Message.parse([
  `MSH|^~\\&|LIS|LAB|SINEW|SINEW|2024010512${ctrl}||ORU^R01^ORU_R01|CTRL${ctrl}|P|2.5.1`,
  'PID|1||MRN1^^^HOSP^MR||DOE^JANE||19800101|F',
  'PV1|1|I|W1^1^A^HOSP||||||||||||||||V100^^^HOSP^VN',
  'OBR|1|P1^HOSP|F1^LAB|58410-2^CBC^LN|||20240105100000|||||||||||||||20240105110000||HM|F',
  `OBX|1|NM|718-7^Hgb^LN||${value}|g/dL^g/dL^UCUM|12-17.5||||${status}|||20240105100000`,
].join('\r'));

describe('deterministic ids', () => {
  it('are 32 hex chars, differ by resource type and source key', () => {
    expect(deterministicId('Patient', ['HOSP', '1'])).toMatch(/^[0-9a-f]{32}$/);
    expect(deterministicId('Patient', ['HOSP', '1'])).not.toBe(deterministicId('Encounter', ['HOSP', '1']));
    expect(deterministicId('Patient', ['HOSP', '1'])).not.toBe(deterministicId('Patient', ['HOSP2', '1']));
  });

  it('a resend and a corrected result (OBX-11 C) map to the same resource ids', () => {
    const first = convertMessage(oru('01', 'F', '14.6'), ctx).bundle;
    const resend = convertMessage(oru('01', 'F', '14.6'), ctx).bundle;
    const corrected = convertMessage(oru('02', 'C', '13.9'), ctx).bundle;
    expect(ids(resend)).toEqual(ids(first));
    expect(ids(corrected)).toEqual(ids(first));
    const obs = corrected.entry?.find((e) => e.resource?.resourceType === 'Observation')?.resource;
    expect(obs).toEqual(expect.objectContaining({ status: 'corrected', valueQuantity: expect.objectContaining({ value: 13.9 }) }));
    // Each message has its own Provenance.
    const prov = (b: Bundle) => b.entry?.find((e) => e.resource?.resourceType === 'Provenance')?.request?.url;
    expect(prov(corrected)).not.toBe(prov(first));
    expect(prov(resend)).toBe(prov(first));
  });

  it('an A08 updates the Patient and Encounter of the A01', () => {
    const adt = (trigger: string, name: string) => Hl7v2Message.parse([
      `MSH|^~\\&|ADT|HOSP|SINEW|SINEW|20240105120000||ADT^${trigger}^ADT_A01|C${trigger}|P|2.5.1`,
      `PID|1||MRN1^^^HOSP^MR||${name}^JANE||19800101|F`,
      'PV1|1|I|W1^1^A^HOSP||||||||||||||||V100^^^HOSP^VN',
    ].join('\r'));
    expect(ids(convertMessage(adt('A08', 'SMITH'), ctx).bundle)).toEqual(ids(convertMessage(adt('A01', 'DOE'), ctx).bundle));
  });
});
