import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import type { Bundle, OperationOutcome, Patient, Provenance } from '@medplum/fhirtypes';
import { HL7_CORPUS, REPO_ROOT } from '../support/paths.js';

/** `sinew convert` as a user runs it: the built CLI (`npm run build` first) in an empty folder. */
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'sinew-convert-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

function convert(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(REPO_ROOT, 'bin/sinew.js'), 'convert', ...args], { cwd: work, env: { ...process.env, NODE_OPTIONS: '' }, maxBuffer: 64 << 20 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}

const MS = path.join(HL7_CORPUS, 'microsoft-fhir-converter/messages');
const write = (name: string, segments: string[][]): string => {
  const file = path.join(work, name);
  fs.writeFileSync(file, segments.map((s) => s.join('\r')).join('\r'));
  return file;
};
const adt = (id: string, time: string, facility = 'NORTH') => [
  `MSH|^~\\&|ADT|${facility}|SINEW|SINEW|${time}||ADT^A04^ADT_A01|${id}|P|2.5.1`, `EVN|A04|${time}`, `PID|1||${id}^^^${facility}^MR||DOE^JANE||19800101|F`, 'PV1|1|O',
];

describe('sinew convert', () => {
  it('prints one pretty Bundle for a one-message corpus file, storing nothing', async () => {
    const { code, stdout } = await convert(path.join(MS, 'ADT-A01-01.hl7'));
    expect(code).toBe(0);
    expect(stdout.split('\n').length).toBeGreaterThan(50);
    const bundle = JSON.parse(stdout) as Bundle;
    expect(bundle.resourceType).toBe('Bundle');
    const patient = bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient;
    expect(patient.identifier?.map((i) => i.value)).toContain('PATID1234');
    expect(patient.name?.[0]?.family).toBe('EVERYMAN');
    expect(fs.readdirSync(work).filter((f) => !f.endsWith('.hl7'))).toEqual([]); // no .sinew, no database
  }, 60_000);

  it('prints NDJSON for several messages, an OperationOutcome in place of a broken one, and exits 1', async () => {
    const broken = [
      'MSH|^~\\&|LIS|LAB|SINEW|SINEW|20240105120000||ORU^R01^ORU_R01|B2|P|2.5.1', 'PID|1||MRN1^^^HOSP^MR||DOE^JANE||19800101|F',
      'OBR|1|P1^HOSP|F1^LAB|58410-2^CBC^LN|||20240705100000', 'OBX|1|NM|718-7^Hgb^LN||12,5|g/dL|||||F',
    ];
    const file = write('mixed.hl7', [adt('A1', '20260105101500'), broken, adt('A3', '20260105101700')]);
    const { code, stdout } = await convert(path.join(MS, 'LAB-ORU-1.hl7'), file);
    expect(code).toBe(1);
    const lines = stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as Bundle | OperationOutcome);
    expect(lines.map((l) => l.resourceType)).toEqual(['Bundle', 'Bundle', 'OperationOutcome', 'Bundle']);
    expect((lines[2] as OperationOutcome).issue).toEqual([expect.objectContaining({
      severity: 'error', expression: ['OBX-5'], details: expect.objectContaining({ text: '"12,5" is not a number (OBX-2 is NM)' }),
    })]);
  }, 60_000);

  it('places zone-less times by --facility-tz, else --tz', async () => {
    const file = write('zones.hl7', [adt('Z1', '20260105101500', 'NORTH'), adt('Z2', '20260105101500', 'SOUTH')]);
    const { code, stdout } = await convert('--tz', 'Europe/Berlin', '--facility-tz', 'NORTH=America/New_York', file);
    expect(code).toBe(0);
    const recorded = stdout.trimEnd().split('\n').map((l) => (JSON.parse(l) as Bundle).entry?.map((e) => e.resource).find((r): r is Provenance => r?.resourceType === 'Provenance')?.recorded);
    expect(recorded).toEqual(['2026-01-05T10:15:00-05:00', '2026-01-05T10:15:00+01:00']);
  }, 60_000);

  it('refuses a missing file and a bad zone with one line and exit code 2', async () => {
    const missing = await convert(path.join(work, 'nope.hl7'));
    expect([missing.code, missing.stderr.trim()]).toEqual([2, `sinew: no such file: ${path.join(work, 'nope.hl7')}`]);
    const zone = await convert('--tz', 'Mars/Olympus', path.join(MS, 'ADT-A01-01.hl7'));
    expect(zone.code).toBe(2);
    expect(zone.stderr).toMatch(/--tz/);
  }, 60_000);
});
