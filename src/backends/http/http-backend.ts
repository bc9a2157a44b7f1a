import { z } from 'zod';
import { tabularOptionsShape } from '../features/feature-spec.js';
import { createTabularBackend, type BatchRunner } from '../features/tabular-backend.js';
import type { ModelBackend } from '../model-backend.js';
import { oipInfer, type OipModel } from './oip-client.js';

export const httpOptionsSchema = z.strictObject({
  ...tabularOptionsShape,
  /** The model server's base URL; the protocol paths (`/v2/models/…`) are added to it. */
  url: z.url({ protocol: /^https?$/, error: 'an http(s) URL such as http://127.0.0.1:8000' }),
  /** The model's name on the server. */
  model: z.string().min(1),
  version: z.string().min(1).optional(),
  datatype: z.enum(['FP32', 'FP64']).default('FP32'),
  /** Below `$assess`'s own deadline (5 s), so the server is named when it is the slow part. */
  timeoutMs: z.number().int().positive().max(60_000).default(2000),
  retries: z.number().int().min(0).max(3).default(0),
});
export type HttpOptions = z.infer<typeof httpOptionsSchema>;

/**
 * A model behind an external server speaking the Open Inference Protocol (KServe v2 / Triton REST),
 * fed the same declared features as the ONNX backend. One request per assessment carries the bundle
 * row and the occluded rows for attribution. Timeouts, HTTP errors and malformed answers fail the
 * assessment with an OperationOutcome naming the server; nothing is retried unless configured.
 */
export function createHttpBackend(name: string, rawOptions: unknown): ModelBackend {
  const options: HttpOptions = Object.freeze(httpOptionsSchema.parse(rawOptions));
  const server: OipModel = {
    baseUrl: options.url,
    model: options.model,
    ...(options.version ? { version: options.version } : {}),
    datatype: options.datatype,
    timeoutMs: options.timeoutMs,
    retries: options.retries,
  };
  const where = `model "${name}"`;
  const run: BatchRunner = (batch, signal) =>
    oipInfer(server, { name: options.input.name, shape: [batch.rows.length, batch.columns.length], data: batch.rows.flat() }, options.output.name, where, signal);
  return createTabularBackend(name, options, run, where);
}
