import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { z } from 'zod';
import { OperationOutcomeError, invalidIssue, throwIfIssues } from '../fhir/outcomes.js';
import { MODALITIES, modalitySchema, type Modality } from '../timeline/timeline-event.js';
import { durationMs, parseDuration } from './duration.js';

/** How a modality's items are chosen from its window (ACES-style aggregation, notes/fusion.md §6.3). */
export const SELECTIONS = ['latest-per-code', 'all', 'trend'] as const;
export type Selection = (typeof SELECTIONS)[number];
export const selectionSchema = z.enum(SELECTIONS);

const durationSchema = z.string().superRefine((s, ctx) => {
  const r = parseDuration(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message });
});
const lookbackSchema = z.string().superRefine((s, ctx) => {
  if (s === 'all') return;
  const r = parseDuration(s);
  if (!r.ok) ctx.addIssue({ code: 'custom', message: `${r.message} (or "all")` });
  else if (r.ms === 0) ctx.addIssue({ code: 'custom', message: 'lookback must be longer than zero' });
});
const codingSchema = z.strictObject({ system: z.string().min(1), code: z.string().min(1) });

const modalitySpecSchema = z
  .strictObject({
    select: z.strictObject({
      resourceTypes: z.array(z.string().regex(/^[A-Z][A-Za-z]+$/, 'a FHIR resource type')).min(1),
      categories: z.array(z.string().min(1)).min(1).optional(),
      codes: z.array(codingSchema).min(1).optional(),
      statuses: z.array(z.string().min(1)).min(1).optional(),
    }),
    lookback: lookbackSchema,
    gap: durationSchema.default('PT0S'),
    maxAge: durationSchema.optional(),
    selection: selectionSchema,
    required: z.boolean().default(false),
  })
  .superRefine((m, ctx) => {
    const gap = parseDuration(m.gap);
    const lookback = m.lookback === 'all' ? undefined : parseDuration(m.lookback);
    if (gap.ok && lookback?.ok && gap.ms >= lookback.ms) {
      ctx.addIssue({ code: 'custom', path: ['gap'], message: `gap ${m.gap} must be shorter than lookback ${m.lookback}: the window would be empty` });
    }
    const maxAge = m.maxAge === undefined ? undefined : parseDuration(m.maxAge);
    if (maxAge?.ok && maxAge.ms === 0) ctx.addIssue({ code: 'custom', path: ['maxAge'], message: 'maxAge must be longer than zero' });
    if (maxAge?.ok && gap.ok && maxAge.ms <= gap.ms) {
      ctx.addIssue({ code: 'custom', path: ['maxAge'], message: `maxAge ${m.maxAge} must exceed gap ${m.gap}: every item would be stale` });
    }
  });

export const fusionSpecSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and hyphens'),
  version: z.string().regex(/^\d+(\.\d+){0,2}$/, 'a version such as 1 or 1.2.0'),
  description: z.string().optional(),
  modalities: z
    .partialRecord(modalitySchema, modalitySpecSchema)
    .refine((r) => Object.keys(r).length > 0, 'a spec needs at least one modality'),
});

export type ModalitySpecInput = z.infer<typeof modalitySpecSchema>;

/** One modality's rules with durations resolved to milliseconds (`lookbackMs` null = all history). */
export interface ModalitySpec extends ModalitySpecInput {
  lookbackMs: number | null;
  gapMs: number;
  maxAgeMs?: number;
}

export interface FusionSpec {
  name: string;
  version: string;
  description?: string;
  modalities: Partial<Record<Modality, ModalitySpec>>;
}

/** Validate a parsed spec; every problem is reported at once, each naming the file and the path. */
export function parseSpec(json: unknown, file: string): FusionSpec {
  const r = fusionSpecSchema.safeParse(json);
  if (!r.success) {
    throwIfIssues(r.error.issues.map((i) => invalidIssue(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`, i.path.join('.'))));
    throw new Error('unreachable');
  }
  const modalities: Partial<Record<Modality, ModalitySpec>> = {};
  for (const name of MODALITIES) {
    const m = r.data.modalities[name];
    if (!m) continue;
    modalities[name] = Object.freeze({
      ...m,
      lookbackMs: m.lookback === 'all' ? null : durationMs(m.lookback),
      gapMs: durationMs(m.gap),
      ...(m.maxAge ? { maxAgeMs: durationMs(m.maxAge) } : {}),
    });
  }
  return Object.freeze({ ...r.data, modalities: Object.freeze(modalities) });
}

function readSpecFile(file: string): FusionSpec {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throwIfIssues([invalidIssue(`${file}: not readable JSON: ${(err as Error).message}`)]);
  }
  const spec = parseSpec(json, file);
  const expected = path.basename(file, '.json');
  throwIfIssues(spec.name === expected ? [] : [invalidIssue(`${file}: name: "${spec.name}" must match the file name "${expected}"`, 'name')]);
  return spec;
}

/** Files in the specs folder that are not specs: the timeline's modality rules live beside them. */
const NOT_SPECS: ReadonlySet<string> = new Set(['modality-rules.json']);

function specNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !NOT_SPECS.has(f))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

function unknownSpec(name: string, known: readonly string[]): OperationOutcomeError {
  const issue: OperationOutcomeIssue = {
    severity: 'error',
    code: 'not-found',
    details: { text: `unknown fusion spec "${name}"; known specs: ${known.join(', ') || '(none)'}` },
    expression: ['spec'],
  };
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [issue] });
}

/** Load one spec by name from `dir` (e.g. profiles/fusion); an unknown name lists the known ones. */
export function loadSpec(name: string, dir: string): FusionSpec {
  const known = specNames(dir);
  if (!known.includes(name)) throw unknownSpec(name, known);
  return readSpecFile(path.join(dir, `${name}.json`));
}

export interface SpecRegistry {
  names(): string[];
  get(name: string): FusionSpec;
}

/** Parse every spec in `dir` once at start-up (a broken file fails the start, not a request). */
export function loadSpecRegistry(dir: string): SpecRegistry {
  const specs = new Map(specNames(dir).map((n) => [n, readSpecFile(path.join(dir, `${n}.json`))] as const));
  return Object.freeze({
    names: () => [...specs.keys()],
    get(name: string): FusionSpec {
      const spec = specs.get(name);
      if (!spec) throw unknownSpec(name, [...specs.keys()]);
      return spec;
    },
  });
}
