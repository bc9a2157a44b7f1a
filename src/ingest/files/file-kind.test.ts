import { describe, it, expect } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { OperationOutcomeError } from '../../fhir/outcomes.js';
import { detectFileKind, detectFileKindOfPath } from './file-kind.js';

const kind = (text: string | Buffer, whole = true): string => detectFileKind(Buffer.isBuffer(text) ? text : Buffer.from(text), whole).kind;

describe('detectFileKind', () => {
  it('knows HL7v2 by MSH, FHS, BHS, an MLLP start byte, a BOM or leading blank lines', () => {
    expect(kind('MSH|^~\\&|A')).toBe('hl7v2');
    expect(kind('FHS|^~\\&')).toBe('hl7v2');
    expect(kind('BHS|^~\\&')).toBe('hl7v2');
    expect(kind('\x0bMSH|^~\\&|A\r\x1c\r')).toBe('hl7v2');
    expect(kind(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\r\nMSH#^~\\&')]))).toBe('hl7v2');
    expect(kind('some banner from the exporting engine\nMSH|^~\\&|A')).toBe('hl7v2');
  });

  it('knows FHIR JSON: one resource pretty-printed, or on a single line', () => {
    expect(kind('{\n  "resourceType": "Bundle",\n  "entry": []\n}\n')).toBe('fhir-json');
    expect(kind('{"resourceType":"Patient","id":"1"}\n')).toBe('fhir-json');
    expect(kind('{"resourceType":"Bundle","entry":[{"resource":{"resourceType":"Patient"}}', false)).toBe('fhir-json');
  });

  it('knows NDJSON: a complete object on the first line and more after it', () => {
    expect(kind('{"resourceType":"Patient","id":"1"}\n{"resourceType":"Patient","id":"2"}\n')).toBe('ndjson');
    expect(kind('{"resourceType":"Patient","id":"1"}\r\n{"resourceType":"Pati', false)).toBe('ndjson');
  });

  it('names what is wrong with anything else', () => {
    expect(detectFileKind(Buffer.from(''), true)).toEqual({ kind: 'unknown', reason: 'the file is empty' });
    expect(detectFileKind(Buffer.from('[1,2]'), true)).toMatchObject({ reason: expect.stringMatching(/JSON array/) });
    expect(detectFileKind(Buffer.from('{\n "a": 1\n}'), true)).toMatchObject({ reason: expect.stringMatching(/no "resourceType"/) });
    expect(detectFileKind(Buffer.from([0xff, 0xfe, 0x4d, 0]), true)).toMatchObject({ reason: expect.stringMatching(/UTF-16/) });
    expect(kind('PID|1||2\nname,dob\n')).toBe('unknown');
    expect(kind('MSHX')).toBe('unknown');
  });
});

describe('detectFileKindOfPath', () => {
  it('reads the head of a file, and an unknown kind is an error naming the file', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sinew-kind-'));
    try {
      const hl7 = path.join(dir, 'a.hl7');
      const csv = path.join(dir, 'b.csv');
      await writeFile(hl7, 'MSH|^~\\&|A\r');
      await writeFile(csv, 'a,b,c\n');
      expect(await detectFileKindOfPath(hl7)).toBe('hl7v2');
      const err = await detectFileKindOfPath(csv).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OperationOutcomeError);
      expect((err as Error).message).toContain(`${csv}: cannot import`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
