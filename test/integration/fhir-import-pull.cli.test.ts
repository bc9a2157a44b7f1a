import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { REPO_ROOT } from '../support/paths.js';
import { startSinew, waitForExit, type SinewProcess } from '../support/sinew-process.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Spawns the built CLI (`npm run build` first). The machine may be shared: generous timeouts.
jest.setTimeout(600_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function sinew(args: string[]): Promise<Run> {
  const { DATABASE_URL: _url, SINEW_DATA_DIR: _dir, ...env } = process.env;
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/sinew.js'), ...args], { env: { ...env, NODE_OPTIONS: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const VITALS = [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }];
const patient = (id: string, family: string): Patient => ({ resourceType: 'Patient', id, identifier: [{ system: 'urn:oid:1.2.3.66', value: id }], name: [{ family, given: ['Sam'] }], gender: 'female', birthDate: '1975-05-05' });
const pulse = (id: string, subject: string, value: number): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  category: VITALS,
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4' }] },
  subject: { reference: subject },
  effectiveDateTime: '2017-02-02T08:00:00Z',
  issued: '2017-02-02T08:01:00Z',
  valueQuantity: { value, unit: '/min' },
});
const HL7 = 'MSH|^~\\&|LAB|NORTH|SINEW|SINEW|20260105101500||ADT^A04^ADT_A01|CLI0001|P|2.5.1\rEVN|A04|20260105101500\rPID|1||123^^^NORTH^MR||DOE^JANE||19800101|F\rPV1|1|O\r';
const SUMMARY = /^accepted \d+, duplicate \d+, error \d+, rejected \d+$/m;
const summaryOf = (run: Run) => SUMMARY.exec(run.stdout)?.[0];

describe.each(ENGINES)('sinew import (FHIR) and sinew pull, built CLI, on %s', (engine) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinew-fhir-cli-'));
  const dataDir = path.join(dir, 'data');
  let database: TestDatabase | undefined;
  let where: string[] = [];
  const file = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  let files: string[] = [];

  beforeAll(async () => {
    if (engine === 'postgres') {
      database = await createTestDatabase('postgres');
      where = ['--database-url', database.url as string];
    } else where = ['--data-dir', dataDir];
    const urn = 'urn:uuid:2d1f6a8c-3b4e-4f70-9a1d-5e6c7b8a9f01';
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: urn, resource: { ...patient('x', 'Mwangi'), id: undefined } as Patient, request: { method: 'POST', url: 'Patient' } },
        { fullUrl: 'urn:uuid:7a9e1c3d-2b4f-4d6a-8e0c-1f2a3b4c5d6e', resource: { ...pulse('x', urn, 70), id: undefined } as Observation, request: { method: 'POST', url: 'Observation' } },
        { resource: pulse('tx-obs-2', urn, 71), request: { method: 'PUT', url: 'Observation/tx-obs-2' } },
      ],
    };
    files = [
      file('feed.hl7', HL7),
      file('bundle.json', JSON.stringify(transaction, null, 2)),
      file('vitals.ndjson', `${JSON.stringify(patient('nd-p', 'Tanaka'))}\n${JSON.stringify(pulse('nd-obs', 'Patient/nd-p', 64))}\n`),
    ];
  });
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports HL7, a FHIR Bundle and NDJSON in one run; a rerun finds duplicates', async () => {
    const first = await sinew(['import', ...files, ...where]);
    expect(first.stderr).toBe('');
    expect(summaryOf(first)).toBe('accepted 6, duplicate 0, error 0, rejected 0');
    expect(first.code).toBe(0);
    const again = await sinew(['import', ...files, ...where]);
    expect(summaryOf(again)).toBe('accepted 0, duplicate 6, error 0, rejected 0');
    expect(again.code).toBe(0);
  });

  it('rejects what is invalid or unreadable, naming file and line or entry, and exits 1', async () => {
    const bad = file('bad.ndjson', `${JSON.stringify(pulse('ok-obs', 'Patient/nd-p', 66))}\n{"resourceType": "Observation", "status": "final", "code": {}, "valueQuantity": {"value": "x"}}\n{not json\n`);
    const tx = file(
      'bad-tx.json',
      JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient('bt-1', 'Ruiz'), request: { method: 'PUT', url: 'Patient/bt-1' } }, { resource: { resourceType: 'Patient', id: 'bt-2', gender: 'dragon' }, request: { method: 'PUT', url: 'Patient/bt-2' } }] }),
    );
    const run = await sinew(['import', bad, tx, ...where]);
    expect(summaryOf(run)).toBe('accepted 1, duplicate 0, error 0, rejected 4');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${bad} line 2: rejected`);
    expect(run.stderr).toContain(`${bad} line 3: rejected`);
    expect(run.stderr).toContain(`${tx} entry 1: rejected`);
  });

  it('pulls from a real upstream Sinew, then only what is new there', async () => {
    // The upstream lives on the engine under test too (a fresh PGlite folder, or its own PostgreSQL database).
    const upstreamDb = engine === 'postgres' ? await createTestDatabase('postgres') : undefined;
    const upstream = await startSinew([...(upstreamDb ? ['--database-url', upstreamDb.url as string] : ['--data-dir', path.join(dir, 'upstream')]), '--auth', 'off', '--mllp-port', '0']);
    try {
      const put = async (...resources: (Patient | Observation)[]) => {
        const body: Bundle = { resourceType: 'Bundle', type: 'batch', entry: resources.map((r) => ({ resource: r, request: { method: 'PUT', url: `${r.resourceType}/${r.id}` } })) };
        const res = await fetch(`${upstream.http}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
        expect(res.status).toBe(200);
      };
      await put(patient('pu-1', 'Olsen'), patient('pu-2', 'Haddad'), pulse('pu-obs-1', 'Patient/pu-1', 80));
      const from = `${upstream.http}/fhir`;
      const first = await sinew(['pull', '--from', from, '--types', 'Patient,Observation', '--page-size', '1', ...where]);
      expect(first.stdout).toBe('Patient: 2 pages, accepted 2, duplicate 0, error 0, rejected 0\nObservation: 1 page, accepted 1, duplicate 0, error 0, rejected 0\naccepted 3, duplicate 0, error 0, rejected 0\n');
      expect(first.code).toBe(0);
      await put(patient('pu-3', 'Kowalski'));
      const second = await sinew(['pull', '--from', from, '--types', 'Patient,Observation', ...where]);
      expect(summaryOf(second)).toBe('accepted 1, duplicate 0, error 0, rejected 0');
      const bad = await sinew(['pull', '--from', from, '--types', 'Patient,Claim', ...where]);
      expect(bad.stderr).toBe('sinew: --types: Claim is not a resource type Sinew stores (got "Patient,Claim")\n');
      expect(bad.code).toBe(2);
    } finally {
      upstream.child.kill('SIGTERM');
      await waitForExit(upstream.child);
      await upstreamDb?.close();
    }
  });

  if (engine === 'pglite') {
    it('while serve holds the PGlite folder, import and pull go through the running server', async () => {
      let server: SinewProcess | undefined;
      const upstream = await startSinew(['--data-dir', path.join(dir, 'upstream2'), '--auth', 'off', '--mllp-port', '0']);
      try {
        server = await startSinew(['--data-dir', dataDir]);
        const again = await sinew(['import', ...files, '--data-dir', dataDir]);
        expect(summaryOf(again)).toBe('accepted 0, duplicate 6, error 0, rejected 0');
        const fresh = file('fresh.ndjson', `${JSON.stringify(patient('srv-p', 'Adeyemi'))}\n${JSON.stringify(pulse('srv-obs', 'Patient/srv-p', 90))}\n`);
        const viaServer = await sinew(['import', fresh, '--data-dir', dataDir]);
        expect(summaryOf(viaServer)).toBe('accepted 2, duplicate 0, error 0, rejected 0');
        expect(viaServer.code).toBe(0);

        const body: Bundle = { resourceType: 'Bundle', type: 'batch', entry: [{ resource: patient('up2-1', 'Fischer'), request: { method: 'PUT', url: 'Patient/up2-1' } }] };
        await fetch(`${upstream.http}/fhir`, { method: 'POST', headers: { 'content-type': 'application/fhir+json' }, body: JSON.stringify(body) });
        const pulled = await sinew(['pull', '--from', `${upstream.http}/fhir`, '--types', 'Patient', '--data-dir', dataDir]);
        expect(pulled.stdout).toBe('Patient: 1 page, accepted 1, duplicate 0, error 0, rejected 0\naccepted 1, duplicate 0, error 0, rejected 0\n');
        const rerun = await sinew(['pull', '--from', `${upstream.http}/fhir`, '--types', 'Patient', '--data-dir', dataDir]);
        expect(summaryOf(rerun)).toBe('accepted 0, duplicate 0, error 0, rejected 0');
      } finally {
        for (const p of [server, upstream]) {
          if (!p) continue;
          p.child.kill('SIGTERM');
          await waitForExit(p.child);
        }
      }
    });
  }
});
