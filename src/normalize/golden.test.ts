import { beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { Hl7v2Message } from '../ingest/hl7v2/index.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { normalizeBundle } from '../../test/support/fhir-compare.js';
import { convertMessage, type ConvertContext } from './convert-message.js';
import { loadMappings } from './load-mappings.js';
import { createValidator, type ResourceValidator } from './validate.js';

/**
 * Golden tests: test/fixtures/hl7v2/<TYPE>/<name>.hl7 → <name>.expected.json (reviewed by hand).
 * `UPDATE_GOLDEN=1` rewrites missing expectations only; review them before committing.
 */
const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/hl7v2');
const ZONES: Record<string, string> = { NORTH: 'America/New_York', SOUTH: 'America/Chicago' };
const ctx: ConvertContext = {
  defaultZone: 'America/New_York',
  zoneFor: (facility) => ZONES[facility],
  mappings: loadMappings(path.join(REPO_ROOT, 'mappings/hl7v2')),
};

let validator: ResourceValidator;
beforeAll(() => {
  validator = createValidator();
});

const cases = readdirSync(FIXTURES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) => readdirSync(path.join(FIXTURES, d.name)).filter((f) => f.endsWith('.hl7')).map((f) => [d.name, f] as const));

describe('golden HL7v2 → FHIR conversions', () => {
  it('has fixtures for every covered message type', () => {
    expect(new Set(cases.map(([t]) => t))).toEqual(new Set([
      'ADT_A01', 'ADT_A02', 'ADT_A03', 'ADT_A05', 'ADT_A06', 'ADT_A12', 'ADT_A30', 'ADT_A40', 'ORU_R01', 'OUL_R22', 'ORM_O01', 'OML_O21',
      'OMI_O23', 'MDM_T02', 'SIU_S12', 'VXU_V04', 'RDE_O11', 'RDS_O13', 'RAS_O17', 'PPR_PC1',
    ]));
  });

  it.each(cases)('%s/%s', (type, file) => {
    const raw = readFileSync(path.join(FIXTURES, type, file), 'utf8');
    const { bundle, issues } = convertMessage(Hl7v2Message.parse(raw), { ...ctx, messageId: `fixture:${type}/${file}` });
    expect(issues.filter((i) => i.severity === 'error' || i.text.includes('no source identifier'))).toEqual([]);
    expect(validator.validateBundle(bundle)).toEqual([]);
    expect(bundle.type).toBe('transaction');
    const expectedFile = path.join(FIXTURES, type, file.replace(/\.hl7$/, '.expected.json'));
    if (!existsSync(expectedFile) && process.env.UPDATE_GOLDEN) writeFileSync(expectedFile, `${JSON.stringify(bundle, null, 2)}\n`);
    const expected = JSON.parse(readFileSync(expectedFile, 'utf8')) as Bundle;
    expect(normalizeBundle(bundle)).toEqual(normalizeBundle(expected));
  });
});

describe('normalizeBundle (test/support/fhir-compare.ts)', () => {
  const bundle = (entries: object[]): Bundle => ({
    resourceType: 'Bundle', type: 'transaction',
    entry: entries.map((resource) => ({ resource, request: { method: 'PUT', url: 'x' } })) as Bundle['entry'],
  });
  const patient = { resourceType: 'Patient', id: 'a', identifier: [{ value: '1' }, { value: '2' }] };
  const obs = (id: string, at: string) => ({ resourceType: 'Observation', id, status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${id === 'o1' ? 'a' : 'b'}` }, effectiveDateTime: at });

  it('ignores ids, entry order, object-array order and the offset an instant is written in', () => {
    const a = bundle([patient, obs('o1', '2024-01-05T12:30:00+01:00')]);
    const b = bundle([obs('o2', '2024-01-05T11:30:00Z'), { ...patient, id: 'b', identifier: [{ value: '2' }, { value: '1' }] }]);
    expect(normalizeBundle(a)).toEqual(normalizeBundle(b));
  });

  it('sees a changed value and a reference to a different resource', () => {
    const a = bundle([patient, obs('o1', '2024-01-05T12:30:00+01:00')]);
    expect(normalizeBundle(bundle([patient, obs('o1', '2024-01-05T12:31:00+01:00')]))).not.toEqual(normalizeBundle(a));
    const other = { resourceType: 'Patient', id: 'c', identifier: [{ value: '9' }] };
    const moved = { ...obs('o1', '2024-01-05T12:30:00+01:00'), subject: { reference: 'Patient/c' } };
    expect(normalizeBundle(bundle([patient, other, moved]))).not.toEqual(normalizeBundle(bundle([patient, other, obs('o1', '2024-01-05T12:30:00+01:00')])));
  });
});
