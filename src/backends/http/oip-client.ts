import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { z } from 'zod';
import { OperationOutcomeError } from '../../fhir/outcomes.js';
import type { OutputTensor } from '../features/tabular-backend.js';

/**
 * A client for one model on a server speaking the Open Inference Protocol (KServe v2, Triton,
 * Seldon MLServer): `POST {base}/v2/models/{name}[/versions/{v}]/infer`.
 * See: https://kserve.github.io/website/docs/concepts/architecture/data-plane/v2-protocol
 */
export interface OipModel {
  baseUrl: string;
  model: string;
  version?: string;
  datatype: 'FP32' | 'FP64';
  timeoutMs: number;
  /** Extra attempts after a connection failure or a 502/503/504; never after a timeout. */
  retries: number;
}

export interface OipTensorIn {
  name: string;
  shape: number[];
  data: number[];
}

const outputSchema = z.object({
  name: z.string(),
  shape: z.array(z.number().int().min(0)),
  datatype: z.string(),
  // The protocol allows row-major data flat or nested.
  data: z.array(z.unknown()),
});
const responseSchema = z.object({ model_name: z.string().optional(), id: z.string().optional(), outputs: z.array(outputSchema) });

const RETRYABLE = new Set([502, 503, 504]);

export function inferUrl(m: Pick<OipModel, 'baseUrl' | 'model' | 'version'>): string {
  const base = m.baseUrl.replace(/\/+$/, '');
  return `${base}/v2/models/${encodeURIComponent(m.model)}${m.version ? `/versions/${encodeURIComponent(m.version)}` : ''}/infer`;
}

function fail(code: OperationOutcomeIssue['code'], text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text }, expression: ['model'] }] });
}

async function post(url: string, body: string, m: OipModel, signal: AbortSignal | undefined, where: string): Promise<Response> {
  const deadline = AbortSignal.timeout(m.timeoutMs);
  const combined = signal ? AbortSignal.any([signal, deadline]) : deadline;
  try {
    return await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json' }, body, signal: combined });
  } catch (err) {
    if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : fail('timeout', `${where}: the assessment was cancelled`);
    if (deadline.aborted) throw fail('timeout', `${where}: the model server did not answer within ${m.timeoutMs} ms (${url})`);
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw fail('transient', `${where}: the model server cannot be reached at ${url}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
}

/** Read the body, also under the deadline (a server may send headers and then stall). */
async function readBody(res: Response, m: OipModel, where: string, url: string): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const stall = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(fail('timeout', `${where}: the model server did not finish its answer within ${m.timeoutMs} ms (${url})`)), m.timeoutMs);
  });
  try {
    return await Promise.race([res.text(), stall]);
  } finally {
    clearTimeout(timer);
  }
}

/** Run one inference; every failure is an OperationOutcomeError naming the server and what was wrong. */
export async function oipInfer(m: OipModel, input: OipTensorIn, outputName: string, where: string, signal?: AbortSignal): Promise<OutputTensor> {
  const url = inferUrl(m);
  const body = JSON.stringify({
    inputs: [{ name: input.name, shape: input.shape, datatype: m.datatype, data: input.data }],
    outputs: [{ name: outputName }],
  });
  let res = await post(url, body, m, signal, where);
  for (let attempt = 0; attempt < m.retries && RETRYABLE.has(res.status); attempt++) res = await post(url, body, m, signal, where);
  const text = await readBody(res, m, where, url);
  if (!res.ok) {
    let detail = text.slice(0, 200);
    try {
      const e = JSON.parse(text) as { error?: unknown };
      if (typeof e.error === 'string') detail = e.error.slice(0, 200);
    } catch {
      // not JSON: the raw start of the body says more than nothing
    }
    throw fail(res.status === 404 ? 'not-found' : RETRYABLE.has(res.status) ? 'transient' : 'exception', `${where}: the model server answered ${res.status} for ${url}: ${detail || '(empty body)'}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw fail('exception', `${where}: the model server's answer is not JSON (starts ${JSON.stringify(text.slice(0, 40))})`);
  }
  const parsed = responseSchema.safeParse(json);
  if (!parsed.success) {
    const why = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
    throw fail('exception', `${where}: the model server's answer is not an inference response: ${why}`);
  }
  const out = parsed.data.outputs.find((o) => o.name === outputName);
  if (!out) throw fail('exception', `${where}: the answer has no output "${outputName}" (outputs: ${parsed.data.outputs.map((o) => o.name).join(', ') || 'none'})`);
  const data = out.data.flat(Infinity);
  const bad = data.findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad >= 0) throw fail('exception', `${where}: output "${outputName}" value ${bad} is ${JSON.stringify(data[bad])}, not a finite number`);
  const expected = out.shape.reduce((a, b) => a * b, 1);
  if (expected !== data.length) throw fail('exception', `${where}: output "${outputName}" has ${data.length} values for shape [${out.shape.join(', ')}]`);
  return { data: data as number[], shape: out.shape };
}
