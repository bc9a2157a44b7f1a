import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Parameters } from '@medplum/fhirtypes';
import { MODALITY_STATUSES } from '../../src/fusion/aligned-bundle.types.js';
import { authoritySystem } from '../../src/normalize/transforms/cx-to-identifier.js';
import { simulateHospital, writeFeed, type SimulateResult } from '../../src/simulate/index.js';
import { REPO_ROOT } from '../support/paths.js';
import { startSinew, waitForExit } from '../support/sinew-process.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Spawns the built CLI (`npm test` builds first). The machine may be shared: generous timeouts.
jest.setTimeout(600_000);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The test's own flags decide the database, not the caller's environment. */
function cleanEnv(): NodeJS.ProcessEnv {
  const { DATABASE_URL: _url, SINEW_DATA_DIR: _dir, ...env } = process.env;
  return { ...env, NODE_OPTIONS: '' };
}

function sinew(args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/sinew.js'), ...args], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

const part = (p: Parameters, name: string) => (p.parameter ?? []).filter((x) => x.name === name);
const sub = (modality: { part?: NonNullable<Parameters['parameter']>[number]['part'] }, name: string) => modality.part?.filter((x) => x.name === name) ?? [];

describe('sinew demo (built CLI)', () => {
  it('simulates, ingests, links and prints one bundle with its assessment', async () => {
    const run = await sinew(['demo', '--patients', '4', '--days', '2', '--seed', '1']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    const line = (prefix: string) => lines.find((l) => l.startsWith(prefix)) ?? '';
    expect(line('ingest')).toMatch(/^ingest +accepted [1-9]\d*, duplicate 0, error 0, rejected 0 in [\d.]+ s/);
    expect(line('identity')).toMatch(/^identity +\d+ source records linked into [1-9]\d* golden records/);
    expect(line('patient')).toMatch(/^patient +urn:sinew:assigning-authority:(NORTH|SOUTH)\|\d+ \(simulated person P\d+\): golden record [0-9a-f-]{36}/);
    expect(line('moment')).toMatch(/^moment +index time 2026-01-\d\dT\d\d:\d\d:00\.000Z, as of .*leakage-safe/);
    // The bundle table: one row per modality of the default spec, each with a known status.
    const header = lines.findIndex((l) => l.trim().startsWith('modality'));
    const rows = lines.slice(header + 1, header + 7).map((l) => l.trim().split(/\s+/));
    expect(rows.map((r) => r[0])).toEqual(['labs', 'vitals', 'imaging', 'notes', 'medications', 'problems']);
    const statuses = rows.map((r) => r[1] as string);
    for (const s of statuses) expect(MODALITY_STATUSES).toContain(s);
    expect(statuses.filter((s) => s === 'present').length).toBeGreaterThanOrEqual(2);
    expect(statuses.some((s) => ['pending', 'stale', 'absent'].includes(s))).toBe(true);
    expect(line('assessment by stacker-default')).toMatch(/probability 0\.\d{3}/);
    expect(run.stdout).toMatch(/^ {4}labs +[+-]\d+\.\d{3} +(present|missing)$/m);
    expect(run.stdout).toMatch(/RiskAssessment\/[0-9a-f]{64} status preliminary/);
    expect(line('This is decision support')).toContain('not a diagnosis');
  });

  it('refuses a bad flag with one line and exit 2', async () => {
    const run = await sinew(['demo', '--patients', '0']);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe('sinew: invalid --patients "0": expected a whole number from 1 to 200');
  });
});

describe.each(ENGINES)('sinew bundle by identifier (built CLI) on %s', (engine) => {
  let dir: string;
  let sim: SimulateResult;
  let db: TestDatabase | undefined;
  let where: string[];
  let identifier: string;
  let at: string;
  /**
   * The simulated ORU carry no result time, so an import (a backfill) makes them available when
   * received: ask what is known now about that moment (as-of now, flagged not leakage-safe).
   */
  let asOf: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinew-bundle-'));
    sim = simulateHospital({ patients: 2, days: 2, seed: 5 });
    const { feedPath } = await writeFeed(sim, dir);
    if (engine === 'postgres') {
      db = await createTestDatabase('postgres');
      where = ['--database-url', db.url as string];
    } else where = ['--data-dir', path.join(dir, 'db')];
    const imported = await sinew(['import', feedPath, ...where]);
    expect(imported.stdout).toMatch(/accepted \d+, duplicate 0, error 0, rejected 0/);
    // A record with vitals, one hour after its last vitals: the vitals window (24 h) holds them.
    const vitals = sim.truth.facts.filter((f) => f.modality === 'vitals');
    const record = vitals[0]?.record;
    if (!record) throw new Error('the simulation has no vitals');
    const [authority = '', value = ''] = record.split('|');
    identifier = `${authoritySystem(authority, '', '')}|${value}`;
    asOf = new Date().toISOString();
    at = new Date(Math.max(...vitals.filter((f) => f.record === record).map((f) => Date.parse(f.clinicalTime))) + 3_600_000).toISOString();
  });

  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('resolves SYSTEM|VALUE through the identity layer and prints the bundle', async () => {
    const run = await sinew(['bundle', '--patient', identifier, '--at', at, '--as-of', asOf, ...where]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Parameters;
    expect(out.resourceType).toBe('Parameters');
    const vitals = part(out, 'modality').find((m) => sub(m, 'name')[0]?.valueCode === 'vitals');
    expect(sub(vitals ?? {}, 'status')[0]?.valueCode).toBe('present');
    expect(sub(vitals ?? {}, 'item').length).toBeGreaterThan(0);
    expect(part(out, 'index-time')[0]?.valueDateTime).toBe(at);
    expect(part(out, 'as-of')[0]?.valueInstant).toBe(asOf);
    expect(part(out, 'leakage-safe')[0]?.valueBoolean).toBe(false);
  });

  it('names what is wrong: unknown identifier, bad time, unknown spec', async () => {
    const unknown = await sinew(['bundle', '--patient', 'urn:sinew:assigning-authority:NORTH|NOPE', '--at', at, '--as-of', asOf, ...where]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no patient has the identifier urn:sinew:assigning-authority:NORTH|NOPE; identifier systems in the index: urn:sinew:assigning-authority:');
    const badTime = await sinew(['bundle', '--patient', identifier, '--at', 'yesterday', '--as-of', asOf, ...where]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('index-time "yesterday" is not a date-time with a time zone');
    const badSpec = await sinew(['bundle', '--patient', identifier, '--at', at, '--as-of', asOf, '--spec', 'nope', ...where]);
    expect(badSpec.code).toBe(2);
    expect(badSpec.stderr).toContain('unknown fusion spec "nope"; known specs: aki, default');
  });

  if (engine === 'pglite') {
    it('asks the running server while serve holds the PGlite folder, with the same answer', async () => {
      const direct = await sinew(['bundle', '--patient', identifier, '--at', at, '--as-of', asOf, ...where]);
      const server = await startSinew([...where]);
      try {
        const viaServer = await sinew(['bundle', '--patient', identifier, '--at', at, '--as-of', asOf, ...where]);
        expect(viaServer.code).toBe(0);
        expect(JSON.parse(viaServer.stdout)).toEqual(JSON.parse(direct.stdout));
        const unknown = await sinew(['bundle', '--patient', 'urn:sinew:assigning-authority:NORTH|NOPE', '--at', at, '--as-of', asOf, ...where]);
        expect(unknown.code).toBe(2);
        expect(unknown.stderr).toContain('no patient has the identifier');
      } finally {
        server.child.kill('SIGTERM');
        await waitForExit(server.child);
      }
    });
  }
});
