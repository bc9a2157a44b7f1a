import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { invalidIssue, throwIfIssues } from '../fhir/outcomes.js';
import { modalitySchema, type Modality } from './timeline-event.js';

const ruleSchema = z.strictObject({
  resourceType: z.string().regex(/^[A-Z][A-Za-z]+$/, 'a FHIR resource type'),
  categories: z.array(z.string().min(1)).min(1).optional(),
  /** Matches only resources that carry no category at all. */
  uncategorised: z.boolean().optional(),
  modality: modalitySchema,
});
const rulesSchema = z.strictObject({
  description: z.string().optional(),
  version: z.string(),
  rules: z.array(ruleSchema).min(1),
});

export type ModalityRule = z.infer<typeof ruleSchema>;
export interface ModalityRules {
  version: string;
  rules: readonly ModalityRule[];
}

export function parseModalityRules(json: unknown, file: string): ModalityRules {
  const r = rulesSchema.safeParse(json);
  if (!r.success) {
    throwIfIssues(r.error.issues.map((i) => invalidIssue(`${file}: ${i.path.join('.') || '(root)'}: ${i.message}`, i.path.join('.'))));
    throw new Error('unreachable');
  }
  return Object.freeze({ version: r.data.version, rules: Object.freeze(r.data.rules.map((x) => Object.freeze(x))) });
}

export function loadModalityRules(file: string): ModalityRules {
  return parseModalityRules(JSON.parse(readFileSync(file, 'utf8')), file);
}

/** The first rule that matches wins; the category code it matched on is reported with it. */
export function modalityOf(resourceType: string, categoryCodes: readonly string[], rules: ModalityRules): { modality: Modality; category?: string } | undefined {
  for (const r of rules.rules) {
    if (r.resourceType !== resourceType) continue;
    if (r.uncategorised && categoryCodes.length > 0) continue;
    if (r.categories) {
      const hit = categoryCodes.find((c) => r.categories?.includes(c));
      if (hit === undefined) continue;
      return { modality: r.modality, category: hit };
    }
    return { modality: r.modality, ...(categoryCodes[0] !== undefined ? { category: categoryCodes[0] } : {}) };
  }
  return undefined;
}

/** profiles/fusion/modality-rules.json, found from this module in the source tree and in dist/. */
function findDefaultRulesFile(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const file = path.join(dir, 'profiles/fusion/modality-rules.json');
    if (existsSync(file)) return file;
    dir = path.dirname(dir);
  }
  throw new Error('profiles/fusion/modality-rules.json not found above the timeline module');
}

/** The shipped rules, read once at load (frozen: no mutable module state). */
export const DEFAULT_MODALITY_RULES: ModalityRules = loadModalityRules(findDefaultRulesFile());
