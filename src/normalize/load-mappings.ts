import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import {
  datatypeMapSchema, messageMapSchema, segmentMapSchema, vocabularySchema,
  type DatatypeMap, type MessageMap, type SegmentMap, type Vocabulary,
} from './mapping-schema.js';
import { isIdRuleName } from './resource-ids.js';
import { isStepName } from './steps/index.js';
import { isTransformName } from './transforms/index.js';

/** Every mapping file, parsed and cross-checked; frozen and passed down (STYLE pattern 3). */
export interface LoadedMappings {
  readonly messages: ReadonlyMap<string, MessageMap>;
  readonly segments: ReadonlyMap<string, SegmentMap>;
  readonly datatypes: ReadonlyMap<string, DatatypeMap>;
  readonly vocabularies: ReadonlyMap<string, Vocabulary>;
}

export interface LoadOptions {
  /** Checks every `to`/`assign`/`references` path against the FHIR R4 definitions (ResourceValidator.elementExists). */
  elementExists?(resourceType: string, path: string): boolean;
}

/**
 * Loads `<dir>/{messages,segments,datatypes,vocabulary}/*.json` once at start. Every problem (bad
 * JSON, schema, unknown transform/step/id rule, missing referenced file) is collected with its
 * file and JSON path, then thrown once.
 */
export function loadMappings(dir: string, opts: LoadOptions = {}): LoadedMappings {
  const problems: string[] = [];
  const read = <T>(sub: string, schema: z.ZodType<T>, keyOf: (v: T) => string): Map<string, T> => {
    const out = new Map<string, T>();
    const folder = path.join(dir, sub);
    if (!existsSync(folder)) return out;
    for (const name of readdirSync(folder).filter((f) => f.endsWith('.json')).sort()) {
      const file = path.join(sub, name);
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(path.join(folder, name), 'utf8'));
      } catch (err) {
        problems.push(`${file}: ${(err as Error).message}`);
        continue;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) {
        for (const i of parsed.error.issues) problems.push(`${file} at ${i.path.join('.') || '(root)'}: ${i.message}`);
        continue;
      }
      const key = keyOf(parsed.data);
      if (`${key}.json` !== name) problems.push(`${file}: declares '${key}' but the file is named ${name}`);
      out.set(key, parsed.data);
    }
    return out;
  };
  const vocabularies = read('vocabulary', vocabularySchema, (v) => v.name);
  const datatypes = read('datatypes', datatypeMapSchema, (d) => d.datatype);
  const segments = read('segments', segmentMapSchema, (s) => s.name ?? s.segment);
  const messages = read('messages', messageMapSchema, (m) => m.structure);

  for (const [key, d] of datatypes) {
    if (!isTransformName(d.transform)) problems.push(`datatypes/${key}.json at transform: unknown transform '${d.transform}'`);
  }
  const exists = opts.elementExists;
  for (const [key, s] of segments) {
    if (exists) {
      for (const p of Object.keys(s.assign ?? {})) if (!exists(s.resource, p)) problems.push(`segments/${key}.json at assign.${p}: ${s.resource} has no element '${p}'`);
    }
    s.fields.forEach((f, i) => {
      const at = `segments/${key}.json at fields.${i}`;
      if (exists && !exists(s.resource, f.to)) problems.push(`${at}.to: ${s.resource} has no element '${f.to}'`);
      if (f.transform && !isTransformName(f.transform)) problems.push(`${at}.transform: unknown transform '${f.transform}'`);
      if (f.datatype && !f.transform && !datatypes.has(f.datatype)) problems.push(`${at}.datatype: no datatypes/${f.datatype}.json`);
      if (f.vocabulary && !vocabularies.has(f.vocabulary)) problems.push(`${at}.vocabulary: no vocabulary/${f.vocabulary}.json`);
    });
  }
  for (const [key, m] of messages) {
    m.resources.forEach((r, i) => {
      const at = `messages/${key}.json at resources.${i}`;
      const seg = segments.get(r.map);
      if (!seg) problems.push(`${at}.map: no segments/${r.map}.json`);
      else if (seg.segment !== r.segment) problems.push(`${at}.map: segments/${r.map}.json maps ${seg.segment}, not ${r.segment}`);
      if (!isIdRuleName(r.id)) problems.push(`${at}.id: unknown id rule '${r.id}'`);
      const resource = seg?.resource ?? '';
      for (const p of Object.keys({ ...r.references, ...r.children })) {
        if (exists && seg && !exists(resource, p)) problems.push(`${at}: ${resource} has no element '${p}'`);
      }
      for (const [p, target] of Object.entries({ ...r.references, ...r.children })) {
        if (!m.resources.some((o) => o.segment === target)) problems.push(`${at}: '${p}' refers to ${target}, which this message does not map`);
      }
    });
    m.steps.forEach((s, i) => {
      if (!isStepName(s)) problems.push(`messages/${key}.json at steps.${i}: unknown step '${s}'`);
    });
  }
  if (problems.length) throw new Error(`invalid HL7v2 mappings in ${dir}:\n  ${problems.join('\n  ')}`);
  return Object.freeze({ messages, segments, datatypes, vocabularies });
}
