/** @jest-environment ./test/support/onnx-test-environment.js */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { OperationOutcomeError, outcomeToLine } from '../../fhir/outcomes.js';
import { REPO_ROOT } from '../../../test/support/paths.js';
import { bundleOf, lab, MODELS_DIR, referenceLogit, SICK, SICK_ROW, sigmoid, vitals } from '../../../test/support/deterioration-model.js';
import { loadBackendRegistry } from '../registry.js';
import { readOnnxModelInfo } from './onnx-model-file.js';

const CONFIG = JSON.parse(readFileSync(path.join(MODELS_DIR, 'onnx-deterioration.json'), 'utf8')) as { options: Record<string, unknown> };
const reg = loadBackendRegistry(MODELS_DIR);
const model = reg.get('onnx-deterioration');

function loadError(files: Record<string, string | Buffer | object>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sinew-onnx-'));
  for (const [f, body] of Object.entries(files)) writeFileSync(path.join(dir, f), Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body));
  try {
    loadBackendRegistry(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    return outcomeToLine((err as OperationOutcomeError).outcome);
  }
  throw new Error('expected the registry load to fail');
}
const withOptions = (options: Record<string, unknown>) => ({ name: 'm', backend: 'onnx', options: { ...CONFIG.options, ...options } });

describe('ONNX backend (shipped illustrative model)', () => {
  it('the committed .onnx is exactly what the generator script builds', () => {
    expect(execFileSync('node', [path.join(REPO_ROOT, 'scripts/make-onnx-model.mjs'), '--check'], { encoding: 'utf8' })).toContain('is up to date');
  });

  it('the file declares opset 13, IR 8, one float input of 9 columns and a probability output', () => {
    const info = readOnnxModelInfo(readFileSync(path.join(MODELS_DIR, 'deterioration-logreg.onnx')));
    expect(info).toMatchObject({ irVersion: 8, opsets: [{ domain: '', version: 13 }], nodes: 4 });
    expect(info.inputs).toEqual([{ name: 'features', elemType: 1, dims: ['N', 9] }]);
    expect(info.outputs).toEqual([{ name: 'probability', elemType: 1, dims: ['N', 1] }]);
  });

  it('ONNX Runtime gives the JS logistic function of the extracted features', async () => {
    const a = await model.assess(bundleOf(SICK()));
    const z = referenceLogit(SICK_ROW);
    expect(a.probability).toBeCloseTo(sigmoid(z), 5);
    expect(a.details?.inputs).toEqual({ 'respiratory-rate': 24, 'heart-rate': 110, 'systolic-bp': 95, temperature: 38.5, spo2: 92, creatinine: 2, 'creatinine:missing': 0, lactate: 3.1, 'lactate:missing': 0 });
    expect(a.risk).toBe('high');
    expect(a.missing).toEqual([]);
    expect(a.warnings).toEqual([]);
    expect(a.basis).toEqual(['cr-new', 'lac', 'v-hr', 'v-rr', 'v-sbp', 'v-spo2', 'v-temp']);
    // Occlusion: vitals filled at their centres remove exactly the vitals terms; labs switch to
    // their indicator columns.
    const labsOccluded = referenceLogit([...SICK_ROW.slice(0, 5), 1, 1, 1.5, 1]);
    const vitalsOccluded = referenceLogit([16, 80, 120, 37, 96, ...SICK_ROW.slice(5)]);
    const byModality = Object.fromEntries(a.attribution.map((x) => [x.modality, x]));
    expect(byModality.labs?.contribution).toBeCloseTo(z - labsOccluded, 4);
    expect(byModality.vitals?.contribution).toBeCloseTo(z - vitalsOccluded, 4);
    expect(byModality.vitals?.contribution).toBeCloseTo(0.12 * 8 + 0.03 * 30 + -0.02 * -25 + 0.3 * 1.5 + -0.15 * -4, 4);
  });

  it('a missing modality is filled as declared, flagged by its indicators and named', async () => {
    const a = await model.assess(bundleOf(vitals({ rr: 16, hr: 80, sbp: 120, temp: 37, spo2: 96 })));
    expect(a.missing).toEqual(['labs']);
    expect(a.probability).toBeCloseTo(sigmoid(referenceLogit([16, 80, 120, 37, 96, 1, 1, 1.5, 1])), 5);
    expect(a.warnings).toEqual([
      'creatinine missing (no creatinine item in labs): declared indicator value 1 with creatinine:missing = 1',
      'lactate missing (no lactate item in labs): declared indicator value 1.5 with lactate:missing = 1',
    ]);
    expect(a.attribution.find((x) => x.modality === 'labs')).toEqual({ modality: 'labs', contribution: 0, present: false });
  });

  it('a failed source is named with its status, never passed off as absent', async () => {
    const a = await model.assess(bundleOf(SICK(), { labs: 'LIS connection refused' }));
    expect(a.missing).toEqual(['labs']);
    expect(a.warnings[0]).toContain('(labs error: source failed: LIS connection refused)');
  });

  it('declared unit conversions apply; an undeclared unit is skipped with a warning', async () => {
    const converted = await model.assess(
      bundleOf([...vitals({ rr: 24, hr: 110, sbp: 95, spo2: 92 }), ...vitals({ temp: 101.3 }).map((e) => ({ ...e, unit: '[degF]' })), lab('cr', '2160-0', 176.8, 'umol/L', -6), lab('lac', '2524-7', 3.1, 'mmol/L', -2)]),
    );
    expect(converted.details?.inputs).toMatchObject({ temperature: expect.closeTo(38.5, 6), creatinine: expect.closeTo(2.0, 2) });
    const skipped = await model.assess(bundleOf([...SICK().filter((e) => e.id !== 'lac'), lab('lac', '2524-7', 27, 'mg/dL', -2)]));
    expect(skipped.warnings).toContain('lactate: item lac skipped: unit "mg/dL" is not "mmol/L"');
    expect(skipped.details?.inputs).toMatchObject({ lactate: 1.5, 'lactate:missing': 1 });
    expect(skipped.missing).toEqual([]);
  });

  it('works as a stacker specialist by name', async () => {
    const configs = [{ name: 'stack', backend: 'stacker', options: { outcome: { system: 's', code: 'c', display: 'd' }, intercept: 0, weightsSource: 'test', specialists: [{ model: 'onnx-deterioration', modality: 'vitals', input: 'probability', weight: 1 }] } }];
    const dir = mkdtempSync(path.join(tmpdir(), 'sinew-onnx-'));
    copyFileSync(path.join(MODELS_DIR, 'deterioration-logreg.onnx'), path.join(dir, 'deterioration-logreg.onnx'));
    copyFileSync(path.join(MODELS_DIR, 'onnx-deterioration.json'), path.join(dir, 'onnx-deterioration.json'));
    writeFileSync(path.join(dir, 'stack.json'), JSON.stringify(configs[0]));
    const stack = loadBackendRegistry(dir).get('stack');
    expect(stack.capabilities.uses).toEqual(['vitals']);
    // intercept 0, weight 1 on the specialist's log-odds: the stack repeats the specialist.
    expect((await stack.assess(bundleOf(SICK()))).probability).toBeCloseTo(sigmoid(referenceLogit(SICK_ROW)), 5);
  });
});

describe('ONNX model files that cannot be used fail at registry load, naming the file', () => {
  const good = readFileSync(path.join(MODELS_DIR, 'deterioration-logreg.onnx'));

  it('a corrupt file', () => {
    expect(loadError({ 'm.json': withOptions({}), 'deterioration-logreg.onnx': Buffer.from('this is not a protobuf message at all') })).toMatch(/m\.json: model file .*deterioration-logreg\.onnx is not a readable ONNX model/);
  });
  it('a truncated file', () => {
    expect(loadError({ 'm.json': withOptions({}), 'deterioration-logreg.onnx': good.subarray(0, good.length - 40) })).toMatch(/is not a readable ONNX model: .*runs past the end/);
  });
  it('a missing file', () => {
    expect(loadError({ 'm.json': withOptions({ model: 'nope.onnx' }) })).toMatch(/nope\.onnx cannot be read: ENOENT/);
  });
  it('a file whose signature does not match the config', () => {
    const features = (CONFIG.options.features as object[]).slice(1);
    const line = loadError({ 'm.json': withOptions({ features, input: { name: 'x' }, output: { name: 'p' } }), 'deterioration-logreg.onnx': good });
    expect(line).toContain('does not match its config: no graph input "x" (inputs: features); no graph output "p" (outputs: probability)');
    expect(loadError({ 'm.json': withOptions({ features }), 'deterioration-logreg.onnx': good })).toContain('input "features" takes 9 columns but the config declares 8');
  });
  it('a well-formed file that ONNX Runtime rejects fails the assessment with the runtime\'s reason', async () => {
    // Same length, so the protobuf stays well-formed and passes the load-time check.
    const unknownOp = Buffer.from(good.toString('latin1').replace('Sigmoid', 'Sigmoix'), 'latin1');
    const dir = mkdtempSync(path.join(tmpdir(), 'sinew-onnx-'));
    writeFileSync(path.join(dir, 'deterioration-logreg.onnx'), unknownOp);
    writeFileSync(path.join(dir, 'm.json'), JSON.stringify(withOptions({})));
    const m = loadBackendRegistry(dir).get('m');
    await expect(m.assess(bundleOf(SICK()))).rejects.toThrow(/ONNX Runtime could not load .*deterioration-logreg\.onnx: .*Sigmoix/);
  });
  it('features without an explicit missing policy or unit', () => {
    const [first] = CONFIG.options.features as Record<string, unknown>[];
    const { missing: _m, ...noPolicy } = first as Record<string, unknown>;
    const { unit: _u, ...noUnit } = first as Record<string, unknown>;
    expect(loadError({ 'm.json': withOptions({ features: [noPolicy] }) })).toContain('options.features.0.missing');
    expect(loadError({ 'm.json': withOptions({ features: [noUnit] }) })).toContain('options.features.0.unit: a value selection needs the unit the model expects');
  });
});
