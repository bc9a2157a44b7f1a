import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { OperationOutcomeError, outcomeToLine } from '../fhir/outcomes.js';
import { buildAlignedBundle } from '../fusion/build-aligned-bundle.js';
import { loadSpec } from '../fusion/spec.js';
import { INDEX_TIME, makeEvent } from '../../test/support/event-fixtures.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { createBackendRegistry, DEFAULT_BACKEND_FACTORIES, loadBackendRegistry, loadModelConfigs, type ModelConfig } from './registry.js';

const MODELS = path.join(REPO_ROOT, 'profiles/models');
function errorLine(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    return outcomeToLine((err as OperationOutcomeError).outcome);
  }
  throw new Error('expected an OperationOutcomeError');
}
const dirWith = (files: Record<string, unknown>) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sinew-models-'));
  for (const [f, json] of Object.entries(files)) writeFileSync(path.join(dir, f), typeof json === 'string' ? json : JSON.stringify(json));
  return dir;
};

describe('backend registry', () => {
  it('loads the shipped models and runs the stacker end to end', async () => {
    const reg = loadBackendRegistry(MODELS);
    expect(reg.names()).toEqual(['kdigo-aki', 'news2', 'onnx-deterioration', 'stacker-default']);
    expect(reg.get('stacker-default').capabilities.uses).toEqual(['labs', 'vitals']);
    expect(reg.config('kdigo-aki').spec).toBe('aki');
    const bundle = buildAlignedBundle({
      patient: 'p1',
      indexTime: INDEX_TIME,
      spec: loadSpec('default', path.join(REPO_ROOT, 'profiles/fusion')),
      events: [makeEvent({ id: 'rr', modality: 'vitals', code: '9279-1', value: 26, clinicalHours: -1 })],
    });
    const a = await reg.get('stacker-default').assess(bundle);
    expect(a.missing).toEqual(['labs', 'vitals']); // NEWS2 partial (6 parameters missing) → masked, not imputed
    expect(a.details).toMatchObject({ weightsSource: expect.stringContaining('ILLUSTRATIVE') });
  });

  it('an unknown model lists the known ones', () => {
    expect(errorLine(() => loadBackendRegistry(MODELS).get('gpt'))).toBe('unknown model "gpt"; known models: kdigo-aki, news2, onnx-deterioration, stacker-default');
  });

  it('an unknown backend type fails at load, naming the file', () => {
    const dir = dirWith({ 'x.json': { name: 'x', backend: 'tensorflow' } });
    expect(errorLine(() => loadModelConfigs(dir))).toMatch(/x\.json: backend: unknown backend type "tensorflow"; known: news2, kdigo-aki, stacker, onnx, http/);
  });

  it('a type missing from the factories fails at load; a factory can be swapped without editing the registry', async () => {
    const configs: ModelConfig[] = [{ name: 'm', backend: 'onnx', options: {} }];
    expect(errorLine(() => createBackendRegistry(configs, { news2: DEFAULT_BACKEND_FACTORIES.news2 }))).toContain('backend type "onnx" is not implemented yet; implemented: news2');
    const reg = createBackendRegistry(configs, {
      onnx: (c) => ({ name: c.name, capabilities: { needs: [], uses: [] }, assess: async () => ({ outcome: { system: 's', code: 'c', display: 'd' }, attribution: [], missing: [], warnings: [] }) }),
    });
    expect(reg.get('m').name).toBe('m');
  });

  it('bad options, missing specialists, duplicates and cycles fail at load', () => {
    const news2 = { name: 'n', backend: 'news2', options: { spo2Scale: 3 } };
    expect(errorLine(() => createBackendRegistry([news2 as ModelConfig]))).toContain('options.spo2Scale');
    const st = (name: string, dep: string): ModelConfig => ({
      name,
      backend: 'stacker',
      options: { outcome: { system: 's', code: 'c', display: 'd' }, intercept: 0, weightsSource: 't', specialists: [{ model: dep, modality: 'labs', input: 'score', weight: 1 }] },
    });
    expect(errorLine(() => createBackendRegistry([st('a', 'zz')]))).toContain('unknown model "zz"');
    expect(errorLine(() => createBackendRegistry([st('a', 'b'), st('b', 'a')]))).toContain('cycle: a → b → a');
    expect(errorLine(() => createBackendRegistry([st('a', 'a'), st('a', 'a')]))).toContain('defined twice');
  });

  it('reports every broken file at once', () => {
    const dir = dirWith({ 'a.json': '{', 'b.json': { name: 'B!', backend: 'news2' } });
    const line = errorLine(() => loadModelConfigs(dir));
    expect(line).toContain('a.json: not readable JSON');
    expect(line).toContain('b.json: name');
  });
});
