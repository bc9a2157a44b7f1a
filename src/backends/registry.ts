import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { z } from 'zod';
import { OperationOutcomeError, invalidIssue, throwIfIssues } from '../fhir/outcomes.js';
import { createHttpBackend } from './http/http-backend.js';
import { createKdigoBackend } from './kdigo/kdigo-backend.js';
import type { ModelBackend } from './model-backend.js';
import { createNews2Backend } from './news2/news2-backend.js';
import { createOnnxBackend } from './onnx/onnx-backend.js';
import { createStackerBackend } from './stacker/stacker-backend.js';

/**
 * Every backend type a model file may name: rule-based scores (news2, kdigo-aki), late fusion
 * (stacker), a model file run in-process (onnx) and an external model server (http, Open Inference
 * Protocol). The last two read the features their config declares.
 */
export const BACKEND_TYPES = ['news2', 'kdigo-aki', 'stacker', 'onnx', 'http'] as const;
export type BackendType = (typeof BACKEND_TYPES)[number];

export const modelConfigSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens'),
  backend: z.enum(BACKEND_TYPES, { error: (i) => `unknown backend type ${JSON.stringify(i.input)}; known: ${BACKEND_TYPES.join(', ')}` }),
  description: z.string().optional(),
  version: z.string().optional(),
  /** The fusion spec the model's bundle should be built with (profiles/fusion); default `default`. */
  spec: z.string().optional(),
  options: z.record(z.string(), z.unknown()).default({}),
});
export type ModelConfig = z.infer<typeof modelConfigSchema> & { file?: string };

export interface BackendContext {
  /** Another configured model by name (for the stacker's specialists); cycles are rejected. */
  resolve(name: string): ModelBackend;
}
export type BackendFactory = (config: ModelConfig, ctx: BackendContext) => ModelBackend;

/**
 * The implemented backend types; every declared type has one. Callers may pass their own map (a
 * test double, another runtime) without touching this file. Any of them can be a stacker specialist.
 */
export const DEFAULT_BACKEND_FACTORIES: Readonly<Partial<Record<BackendType, BackendFactory>>> = Object.freeze({
  news2: (c) => createNews2Backend(c.name, c.options),
  'kdigo-aki': (c) => createKdigoBackend(c.name, c.options),
  stacker: (c, ctx) => createStackerBackend(c.name, c.options, ctx.resolve),
  onnx: (c) => createOnnxBackend(c.name, c.options, c.file),
  http: (c) => createHttpBackend(c.name, c.options),
});

export interface BackendRegistry {
  names(): string[];
  get(name: string): ModelBackend;
  config(name: string): ModelConfig;
}

/** Read and validate every `*.json` in dir (e.g. profiles/models); all problems reported at once. */
export function loadModelConfigs(dir: string): ModelConfig[] {
  const issues: OperationOutcomeIssue[] = [];
  const configs: ModelConfig[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(file, 'utf8'));
    } catch (err) {
      issues.push(invalidIssue(`${file}: not readable JSON: ${(err as Error).message}`));
      continue;
    }
    const r = modelConfigSchema.safeParse(json);
    if (r.success) configs.push({ ...r.data, file });
    else issues.push(...r.error.issues.map((i) => invalidIssue(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`, i.path.join('.'))));
  }
  throwIfIssues(issues);
  return configs;
}

function fail(text: string, code: 'invalid' | 'not-found' = 'invalid'): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] });
}

/** Build every configured backend once; a bad option or an unimplemented type fails here, at load. */
export function createBackendRegistry(configs: readonly ModelConfig[], factories: Readonly<Partial<Record<BackendType, BackendFactory>>> = DEFAULT_BACKEND_FACTORIES): BackendRegistry {
  const byName = new Map<string, ModelConfig>();
  for (const c of configs) {
    if (byName.has(c.name)) throw fail(`model "${c.name}" is defined twice (${byName.get(c.name)?.file ?? '?'}, ${c.file ?? '?'})`);
    byName.set(c.name, c);
  }
  const built = new Map<string, ModelBackend>();
  const building: string[] = [];
  const build = (name: string): ModelBackend => {
    const done = built.get(name);
    if (done) return done;
    const c = byName.get(name);
    if (!c) throw fail(`unknown model "${name}"; known models: ${[...byName.keys()].sort().join(', ')}`, 'not-found');
    if (building.includes(name)) throw fail(`models refer to each other in a cycle: ${[...building, name].join(' → ')}`);
    const factory = factories[c.backend];
    const where = c.file ?? c.name;
    if (!factory) throw fail(`${where}: backend type "${c.backend}" is not implemented yet; implemented: ${Object.keys(factories).join(', ')}`);
    building.push(name);
    try {
      const backend = factory(c, { resolve: build });
      built.set(name, backend);
      return backend;
    } catch (err) {
      if (err instanceof OperationOutcomeError) throw err;
      const detail = err instanceof z.ZodError ? err.issues.map((i) => `options.${i.path.join('.')}: ${i.message}`).join('; ') : (err as Error).message;
      throw fail(`${where}: ${detail}`);
    } finally {
      building.pop();
    }
  };
  for (const name of byName.keys()) build(name);
  return Object.freeze({
    names: () => [...byName.keys()].sort(),
    get: build,
    config(name: string): ModelConfig {
      const c = byName.get(name);
      if (!c) throw fail(`unknown model "${name}"; known models: ${[...byName.keys()].sort().join(', ')}`, 'not-found');
      return c;
    },
  });
}

export function loadBackendRegistry(dir: string, factories?: Readonly<Partial<Record<BackendType, BackendFactory>>>): BackendRegistry {
  return createBackendRegistry(loadModelConfigs(dir), factories);
}
