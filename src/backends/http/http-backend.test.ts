import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { OperationOutcomeError, outcomeToLine } from '../../fhir/outcomes.js';
import { bundleOf, MODELS_DIR, referenceLogit, SICK, SICK_ROW, sigmoid, vitals } from '../../../test/support/deterioration-model.js';
import { startOipTestServer, type OipTestServer } from '../../../test/support/oip-test-server.js';
import { createBackendRegistry, type ModelConfig } from '../registry.js';
import { createHttpBackend } from './http-backend.js';

const ONNX = JSON.parse(readFileSync(path.join(MODELS_DIR, 'onnx-deterioration.json'), 'utf8')) as { options: Record<string, unknown> };
const { model: _file, threads: _threads, ...shared } = ONNX.options;

async function failure(p: Promise<unknown>): Promise<{ code: string | undefined; line: string }> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    const o = (err as OperationOutcomeError).outcome;
    return { code: o.issue?.[0]?.code, line: outcomeToLine(o) };
  }
  throw new Error('expected the assessment to fail');
}

describe('HTTP backend (Open Inference Protocol) against a real loopback model server', () => {
  let server: OipTestServer;
  const backend = (model: string, extra: Record<string, unknown> = {}) => createHttpBackend(`remote-${model}`, { ...shared, url: server.url, model, ...extra });
  beforeAll(async () => {
    server = await startOipTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends the bundle row and one occluded row per modality in one v2 infer request', async () => {
    server.requests.length = 0;
    const a = await backend('deterioration').assess(bundleOf(SICK()));
    expect(a.probability).toBeCloseTo(sigmoid(referenceLogit(SICK_ROW)), 9);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/models/deterioration/infer',
      body: { inputs: [{ name: 'features', shape: [3, 9], datatype: 'FP32' }], outputs: [{ name: 'probability' }] },
    });
    const labsOccluded = referenceLogit([...SICK_ROW.slice(0, 5), 1, 1, 1.5, 1]);
    expect(a.attribution.find((x) => x.modality === 'labs')?.contribution).toBeCloseTo(referenceLogit(SICK_ROW) - labsOccluded, 9);
    expect(a.details?.weightsSource).toContain('ILLUSTRATIVE');
  });

  it('names the version in the path when configured, and reports missing modalities', async () => {
    server.requests.length = 0;
    const a = await backend('deterioration', { version: '3' }).assess(bundleOf(vitals({ rr: 30 })));
    expect(server.requests[0]?.path).toBe('/v2/models/deterioration/versions/3/infer');
    expect(a.missing).toEqual(['labs']);
    expect(a.warnings).toContain('heart-rate missing (no heart-rate item in vitals): declared fill value 80');
  });

  it('a server that does not answer in time fails with a timeout naming it', async () => {
    const started = Date.now();
    const f = await failure(backend('slow', { timeoutMs: 150 }).assess(bundleOf(SICK())));
    expect(f.code).toBe('timeout');
    expect(f.line).toMatch(/^model "remote-slow": the model server did not answer within 150 ms \(http:\/\/127\.0\.0\.1:\d+\/v2\/models\/slow\/infer\)/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('the caller\'s abort signal stops the request', async () => {
    const ctrl = new AbortController();
    const p = backend('slow', { timeoutMs: 10_000 }).assess(bundleOf(SICK()), ctrl.signal);
    setTimeout(() => ctrl.abort(new Error('deadline of $assess')), 50);
    await expect(p).rejects.toThrow('deadline of $assess');
  });

  it.each([
    ['garbage', 'exception', /answer is not JSON \(starts "<html>proxy login<\/html>"\)/],
    ['broken', 'exception', /the model server answered 500 for .*: CUDA out of memory/],
    ['no-such-model', 'not-found', /answered 404 .*no model at \/v2\/models\/no-such-model\/infer/],
    ['wrong-output', 'exception', /the answer has no output "probability" \(outputs: logits\)/],
    ['short-output', 'exception', /output "probability" has shape \[1, 1\] for 3 input rows/],
    ['nan-output', 'exception', /output "probability" value 1 is "NaN", not a finite number/],
  ])('%s → an OperationOutcome (%s) saying what was wrong', async (model, code, text) => {
    const f = await failure(backend(model).assess(bundleOf(SICK())));
    expect(f.code).toBe(code);
    expect(f.line).toMatch(text);
    expect(f.line).toContain(`model "remote-${model}"`);
  });

  it('an unreachable server is a transient failure naming the address', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const f = await failure(createHttpBackend('gone', { ...shared, url: `http://127.0.0.1:${port}`, model: 'deterioration' }).assess(bundleOf(SICK())));
    expect(f.code).toBe('transient');
    expect(f.line).toContain(`cannot be reached at http://127.0.0.1:${port}/v2/models/deterioration/infer: ECONNREFUSED`);
  });

  it('retries none by default; a configured retry rides over a 503', async () => {
    expect((await failure(backend('flaky').assess(bundleOf(SICK())))).line).toContain('answered 503');
    const a = await backend('flaky', { retries: 1 }).assess(bundleOf(SICK()));
    expect(a.probability).toBeCloseTo(sigmoid(referenceLogit(SICK_ROW)), 9);
  });

  it('as a stacker specialist, a failing server masks its modality with the reason instead of failing the stack', async () => {
    const configs: ModelConfig[] = [
      { name: 'remote', backend: 'http', options: { ...shared, url: server.url, model: 'broken' } },
      { name: 'stack', backend: 'stacker', options: { outcome: { system: 's', code: 'c', display: 'd' }, intercept: -2, weightsSource: 'test', specialists: [{ model: 'remote', modality: 'vitals', input: 'probability', weight: 1 }] } },
    ];
    const a = await createBackendRegistry(configs).get('stack').assess(bundleOf(SICK()));
    expect(a.missing).toEqual(['vitals']);
    expect(a.probability).toBeCloseTo(sigmoid(-2), 9);
    expect(a.warnings[0]).toMatch(/^vitals missing \(remote failed: .*answered 500.*CUDA out of memory.*\): contributes 0, not imputed$/);
  });

  it('bad options fail at registry load', () => {
    const load = (options: Record<string, unknown>) => () => createBackendRegistry([{ name: 'r', backend: 'http', options: { ...shared, model: 'm', ...options } }]);
    expect(load({ url: 'ftp://x' })).toThrow(/options\.url: an http\(s\) URL/);
    expect(load({ url: 'http://127.0.0.1:1', retries: 9 })).toThrow(/options\.retries/);
  });
});
