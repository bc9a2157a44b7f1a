import fs from 'node:fs';
import { z } from 'zod';
import type { Difference } from './agreement-compare.js';
import type { Converter } from './agreement-corpus.js';

export const VERDICTS = ['ours better', 'theirs better', 'a choice'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * One reviewed kind of difference: `match` is a regular expression over
 * `<converter> <kind> <path>` (e.g. `microsoft missing Patient.contact`), `values` optionally one
 * over both sides' values joined; the first matching rule decides.
 */
const ruleSchema = z.object({
  match: z.string(),
  values: z.string().optional(),
  verdict: z.enum(VERDICTS),
  reason: z.string().min(10),
});
export const rulesSchema = z.object({ rules: z.array(ruleSchema) });
export type Rule = z.infer<typeof ruleSchema> & { index: number };

export interface Classified extends Difference { verdict: Verdict | 'unclassified'; rule?: number; reason?: string }

export function loadRules(file: string): Rule[] {
  return rulesSchema.parse(JSON.parse(fs.readFileSync(file, 'utf8'))).rules.map((r, index) => ({ ...r, index }));
}

export function classify(converter: Converter, d: Difference, rules: Rule[]): Classified {
  const subject = `${converter} ${d.kind} ${d.path}`;
  const values = `theirs: ${d.theirs.join(' | ')} ours: ${d.ours.join(' | ')}`;
  const rule = rules.find((r) => new RegExp(r.match).test(subject) && (!r.values || new RegExp(r.values).test(values)));
  return rule ? { ...d, verdict: rule.verdict, rule: rule.index, reason: rule.reason } : { ...d, verdict: 'unclassified' };
}
