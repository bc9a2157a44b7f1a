import { readFileSync } from 'node:fs';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { z } from 'zod';
import { featureColumns, tabularOptionsShape } from '../features/feature-spec.js';
import { createTabularBackend, type BatchRunner } from '../features/tabular-backend.js';
import type { ModelBackend } from '../model-backend.js';
import { readOnnxModelInfo, signatureProblems } from './onnx-model-file.js';

export const onnxOptionsSchema = z.strictObject({
  ...tabularOptionsShape,
  /** The .onnx file, relative to the model config's folder (profiles/models). */
  model: z.string().min(1),
  /** ONNX Runtime intra-op threads; the models are small and the cores are shared with ingest. */
  threads: z.number().int().min(1).max(64).default(1),
});
export type OnnxOptions = z.infer<typeof onnxOptionsSchema>;

/**
 * Open the file and check its signature against the config now (synchronously, at registry load);
 * the ONNX Runtime session itself is opened on first use and then reused.
 */
function openModel(file: string, o: OnnxOptions): () => Promise<InferenceSession> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`model file ${file} cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let problems: string[];
  try {
    problems = signatureProblems(readOnnxModelInfo(bytes), o.input.name, o.output.name, featureColumns(o.features).length);
  } catch (err) {
    throw new Error(`model file ${file} is not a readable ONNX model: ${(err as Error).message}`);
  }
  if (problems.length) throw new Error(`model file ${file} does not match its config: ${problems.join('; ')}`);
  // The session is built from the very bytes that were checked; they are dropped once it exists.
  let checked: Buffer | undefined = bytes;
  let session: Promise<InferenceSession> | undefined;
  return () => {
    if (!session) {
      session = InferenceSession.create(checked as Buffer, { executionProviders: ['cpu'], intraOpNumThreads: o.threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }).catch((err: unknown) => {
        throw new Error(`ONNX Runtime could not load ${file}: ${(err as Error).message}`);
      });
      checked = undefined;
    }
    return session;
  };
}

/**
 * A model file run in-process with ONNX Runtime (CPU) over features declared in the model config
 * (profiles/models/<name>.json). `configFile` anchors the relative model path.
 */
export function createOnnxBackend(name: string, rawOptions: unknown, configFile: string | undefined): ModelBackend {
  const options: OnnxOptions = Object.freeze(onnxOptionsSchema.parse(rawOptions));
  const file = path.resolve(configFile ? path.dirname(configFile) : process.cwd(), options.model);
  const session = openModel(file, options);
  const run: BatchRunner = async (batch) => {
    const s = await session();
    const width = batch.columns.length;
    const input = new Tensor('float32', Float32Array.from(batch.rows.flat()), [batch.rows.length, width]);
    const out = await s.run({ [options.input.name]: input }, [options.output.name]);
    const t = out[options.output.name];
    if (!t) throw new Error(`onnx model ${name}: no output "${options.output.name}"`);
    return { data: t.data as ArrayLike<number>, shape: t.dims };
  };
  return createTabularBackend(name, options, run, `onnx model ${name}`);
}
