import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { OperationOutcomeError, outcomeToLine } from '../fhir/outcomes.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { parseDuration } from './duration.js';
import { loadSpec, loadSpecRegistry, parseSpec } from './spec.js';

const SPEC_DIR = path.join(REPO_ROOT, 'profiles/fusion');

function errorLine(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    return outcomeToLine((err as OperationOutcomeError).outcome);
  }
  throw new Error('expected an OperationOutcomeError');
}

const minimal = (labs: Record<string, unknown>) => ({
  name: 'x',
  version: '1',
  modalities: { labs: { select: { resourceTypes: ['Observation'] }, selection: 'all', ...labs } },
});

describe('parseDuration', () => {
  it.each([
    ['PT72H', 72 * 3600e3],
    ['P30D', 30 * 86400e3],
    ['P1W', 7 * 86400e3],
    ['PT1H30M', 5400e3],
    ['PT0S', 0],
  ])('%s', (text, ms) => expect(parseDuration(text)).toEqual({ ok: true, ms }));
  it.each(['-PT1H', 'P1M', 'P1Y', 'PT', 'P', '72h', ''])('rejects %s', (text) => expect(parseDuration(text).ok).toBe(false));
});

describe('fusion spec', () => {
  it('ships default with the issue 5 windows', () => {
    const spec = loadSpec('default', SPEC_DIR);
    expect(spec.version).toBe('1.0.0');
    const h = (m: keyof typeof spec.modalities) => spec.modalities[m]?.lookbackMs;
    expect([h('labs'), h('vitals'), h('imaging'), h('notes'), h('medications')]).toEqual([72, 24, 720, 168, 720].map((x) => x * 3600e3));
    expect(spec.modalities.problems).toMatchObject({ lookback: 'all', lookbackMs: null, select: { statuses: ['active', 'recurrence', 'relapse'] } });
    expect(Object.isFrozen(spec)).toBe(true);
  });

  it('a registry lists every spec; an unknown name lists the known ones', () => {
    const reg = loadSpecRegistry(SPEC_DIR);
    expect(reg.names()).toEqual(expect.arrayContaining(['aki', 'default']));
    expect(errorLine(() => reg.get('nope'))).toMatch(/unknown fusion spec "nope"; known specs: aki, default/);
    expect(errorLine(() => loadSpec('nope', SPEC_DIR))).toMatch(/known specs: aki, default/);
  });

  it('rejects negative and nonsensical windows, naming the file and the path, all at once', () => {
    const spec = minimal({ lookback: '-PT72H', maxAge: 'P1M' });
    const vitals = { select: { resourceTypes: ['Observation'] }, selection: 'all', lookback: 'PT2H', gap: 'PT3H' };
    const line = errorLine(() => parseSpec({ ...spec, modalities: { ...spec.modalities, vitals } }, 'profiles/fusion/x.json'));
    expect(line).toContain('profiles/fusion/x.json: modalities.labs.lookback: negative duration "-PT72H" is not allowed');
    expect(line).toContain('profiles/fusion/x.json: modalities.labs.maxAge: "P1M" uses years or months');
    expect(line).toContain('modalities.vitals.gap: gap PT3H must be shorter than lookback PT2H');
  });

  it.each([
    [{ lookback: 'PT0S' }, 'lookback must be longer than zero'],
    [{ lookback: 'PT24H', maxAge: 'PT0S' }, 'maxAge must be longer than zero'],
    [{ lookback: 'PT24H', gap: 'PT2H', maxAge: 'PT1H' }, 'maxAge PT1H must exceed gap PT2H'],
    [{ lookback: 'PT24H', selection: 'mean' }, 'modalities.labs.selection'],
    [{ lookback: 'PT24H', lookbak: 'PT1H' }, 'lookbak'],
    [{ lookback: 'yesterday' }, 'not an ISO-8601 duration'],
  ])('rejects %j', (labs, message) => expect(errorLine(() => parseSpec(minimal(labs), 'f.json'))).toContain(message));

  it('rejects an unknown modality and a spec without modalities', () => {
    expect(errorLine(() => parseSpec({ name: 'x', version: '1', modalities: { ecg: {} } }, 'f.json'))).toContain('modalities');
    expect(errorLine(() => parseSpec({ name: 'x', version: '1', modalities: {} }, 'f.json'))).toContain('at least one modality');
  });

  it('requires the name to match the file name', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sinew-spec-'));
    writeFileSync(path.join(dir, 'mine.json'), JSON.stringify({ ...minimal({ lookback: 'PT1H' }), name: 'other' }));
    expect(errorLine(() => loadSpec('mine', dir))).toContain('must match the file name "mine"');
    writeFileSync(path.join(dir, 'broken.json'), '{');
    expect(errorLine(() => loadSpec('broken', dir))).toContain('broken.json: not readable JSON');
  });
});
