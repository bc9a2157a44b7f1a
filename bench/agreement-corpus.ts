import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle } from '@medplum/fhirtypes';
import { convertRawMessage } from '../src/normalize/convert-raw.js';
import { createValidator, loadMappings, type ResourceValidator } from '../src/normalize/index.js';
import { compareBundles, type Difference } from './agreement-compare.js';

export const CONVERTERS = ['microsoft', 'reportstream'] as const;
export type Converter = (typeof CONVERTERS)[number];
export const CONVERTER_NAMES: Record<Converter, string> = { microsoft: 'Microsoft FHIR-Converter', reportstream: 'CDC ReportStream' };

export interface CorpusPair { converter: Converter; name: string; message: string; expected: string }
export interface MessageComparison extends CorpusPair { differences: Difference[] }

/** The checkout root, from src/bench or dist/bench alike: the folder holding mappings/hl7v2. */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) if (fs.existsSync(path.join(dir, 'mappings/hl7v2/structures.json'))) return dir;
  throw new Error('cannot find the Sinew checkout (mappings/hl7v2) above bench/');
}

/**
 * Every corpus message that ships another converter's expected FHIR (corpora READMEs): Microsoft
 * `expected/<TEMPLATE>/<X>-expected.json` ↔ `messages/<X>.hl7`; ReportStream `<X>.fhir` ↔ `<X>.hl7`
 * beside it (its `-with-enrichment` variant adds data no converter could derive from the message).
 */
export function corpusPairs(corpus: string): CorpusPair[] {
  const pairs: CorpusPair[] = [];
  const ms = path.join(corpus, 'microsoft-fhir-converter');
  for (const template of fs.readdirSync(path.join(ms, 'expected')).sort()) {
    for (const file of fs.readdirSync(path.join(ms, 'expected', template)).sort()) {
      const name = file.replace(/-expected\.json$/, '');
      const message = path.join(ms, 'messages', `${name}.hl7`);
      if (fs.existsSync(message)) pairs.push({ converter: 'microsoft', name: `${template}/${name}`, message, expected: path.join(ms, 'expected', template, file) });
    }
  }
  const rs = path.join(corpus, 'cdc-prime-reportstream');
  for (const file of walk(rs).filter((f) => f.endsWith('.fhir') && !f.endsWith('-with-enrichment.fhir')).sort()) {
    const message = file.replace(/\.fhir$/, '.hl7');
    if (fs.existsSync(message)) pairs.push({ converter: 'reportstream', name: path.relative(rs, message).replace(/\.hl7$/, ''), message, expected: file });
  }
  return pairs;
}

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * Converts each paired message as `sinew convert` would (zone-less times in UTC; both references
 * rewrite offsets, so only instants are compared) and lists the differences with their expected Bundle.
 */
export function compareCorpus(root = repoRoot(), validator: ResourceValidator = createValidator()): MessageComparison[] {
  const mappings = loadMappings(path.join(root, 'mappings/hl7v2'));
  const ctx = { defaultZone: 'UTC', zoneFor: () => undefined, mappings };
  return corpusPairs(path.resolve(root, '../shared/corpora/hl7v2')).map((p) => {
    const theirs = JSON.parse(fs.readFileSync(p.expected, 'utf8')) as Bundle;
    const result = convertRawMessage(fs.readFileSync(p.message), ctx, validator);
    if (result.kind === 'outcome') {
      const why = (result.outcome.issue ?? []).map((i) => `${i.expression?.join(', ') ?? ''}: ${i.details?.text ?? ''}`);
      return { ...p, differences: [{ path: 'message', kind: 'rejected', theirs: [`${theirs.entry?.length ?? 0} entries`], ours: why }] };
    }
    return { ...p, differences: compareBundles(result.bundle, theirs) };
  });
}
