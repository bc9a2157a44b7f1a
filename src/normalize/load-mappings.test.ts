import { describe, expect, it } from '@jest/globals';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../test/support/paths.js';
import { loadMappings } from './load-mappings.js';
import { createValidator } from './validate.js';

const REAL = path.join(REPO_ROOT, 'mappings/hl7v2');

/** A copy of the real mappings with one file edited. */
function withEdit(file: string, edit: (json: Record<string, unknown>) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sinew-mappings-'));
  cpSync(REAL, dir, { recursive: true });
  const p = path.join(dir, file);
  const json = JSON.parse(readFileSync(p, 'utf8')) as Record<string, unknown>;
  edit(json);
  writeFileSync(p, JSON.stringify(json));
  return dir;
}

const fields = (j: Record<string, unknown>) => j.fields as Record<string, unknown>[];

describe('loadMappings', () => {
  it('loads the shipped mappings', () => {
    const m = loadMappings(REAL);
    expect([...m.messages.keys()]).toEqual(expect.arrayContaining(['ADT_A01', 'ADT_A03', 'ADT_A39', 'ORU_R01', 'MDM_T02']));
    expect(m.vocabularies.get('AdministrativeSex')?.codes.F?.code).toBe('female');
    expect(Object.isFrozen(m)).toBe(true);
  });

  it('names file and path for an unknown transform', () => {
    const dir = withEdit('segments/PID.json', (j) => { fields(j)[1]!.transform = 'xpn-to-nothing'; });
    expect(() => loadMappings(dir)).toThrow("segments/PID.json at fields.1.transform: unknown transform 'xpn-to-nothing'");
  });

  it('names file and path for a bad FHIR path or HL7 field', () => {
    const dir = withEdit('segments/PID.json', (j) => { fields(j)[0]!.to = 'identifier..value'; fields(j)[2]!.field = 'PID5'; });
    expect(() => loadMappings(dir)).toThrow(/segments\/PID\.json at fields\.0\.to: must be a FHIR element path[\s\S]*fields\.2\.field: must look like PID-5/);
  });

  it('names a missing referenced data type, vocabulary, segment map or step', () => {
    const seg = withEdit('segments/PID.json', (j) => { fields(j)[0]!.datatype = 'XYZ'; fields(j)[3]!.vocabulary = 'NoSuchTable'; });
    expect(() => loadMappings(seg)).toThrow(/fields\.0\.datatype: no datatypes\/XYZ\.json[\s\S]*fields\.3\.vocabulary: no vocabulary\/NoSuchTable\.json/);
    const msg = withEdit('messages/ORU_R01.json', (j) => {
      (j.resources as Record<string, unknown>[])[0]!.map = 'ZZZ';
      j.steps = ['report-text', 'no-such-step'];
    });
    expect(() => loadMappings(msg)).toThrow(/messages\/ORU_R01\.json at resources\.0\.map: no segments\/ZZZ\.json[\s\S]*steps\.1: unknown step 'no-such-step'/);
  });
});

describe('loadMappings with FHIR element checks', () => {
  it('accepts every shipped path and names a misspelt one', () => {
    const { elementExists } = createValidator();
    expect(() => loadMappings(REAL, { elementExists })).not.toThrow();
    const dir = withEdit('segments/PV1.json', (j) => { fields(j)[9]!.to = 'period.ende'; });
    expect(() => loadMappings(dir, { elementExists })).toThrow("segments/PV1.json at fields.9.to: Encounter has no element 'period.ende'");
  });
});
