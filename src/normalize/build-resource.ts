import type { Hl7v2Message, Hl7v2Segment } from '../ingest/hl7v2/index.js';
import { ERROR_CODES } from './convert-issue.js';
import type { LoadedMappings } from './load-mappings.js';
import type { FieldMap, SegmentMap } from './mapping-schema.js';
import { setPath } from './set-path.js';
import { transforms, type TransformContext, type TransformName } from './transforms/index.js';
import type { IssueSeverity } from './convert-issue.js';

export type IssueSink = (severity: IssueSeverity, code: string, location: string, text: string) => void;

/** Applies one segment map to one segment occurrence; `location` is `OBX[3]` style. */
export function buildResource(
  map: SegmentMap, segment: Hl7v2Segment, location: string, message: Hl7v2Message, mappings: LoadedMappings, zone: string, issue: IssueSink,
): Record<string, unknown> {
  const resource: Record<string, unknown> = { resourceType: map.resource };
  for (const [p, v] of Object.entries(map.assign ?? {})) setPath(resource, p, structuredClone(v));
  for (const f of map.fields) applyField(f, resource, segment, location, message, mappings, zone, issue);
  return resource;
}

function applyField(
  f: FieldMap, resource: Record<string, unknown>, segment: Hl7v2Segment, segLocation: string,
  message: Hl7v2Message, mappings: LoadedMappings, zone: string, issue: IssueSink,
): void {
  const [segName, num] = f.field.split('-') as [string, string];
  // Another segment's field (OBR-7 as OBX's default time) is read from its nearest earlier occurrence.
  const source = segName === segment.name ? segment : message.segments(segName).filter((s) => s.index < segment.index).pop() ?? (segName === 'MSH' ? message.header : undefined);
  const baseLocation = segName === segment.name ? `${segLocation}-${num}` : f.field;
  const field = source?.field(Number(num));
  if (!source || !field || field.isEmpty() || field.isNull()) {
    fallback(f, resource, baseLocation, `${f.field} is empty`, issue);
    return;
  }
  const name = transformFor(f, mappings);
  const fn = transforms[name] as (field: unknown, ctx: TransformContext) => unknown;
  const reps = f.repeats ? field.repetitions : [field.repetition(1)];
  let written = 0;
  reps.forEach((rep, i) => {
    const location = f.repeats && reps.length > 1 ? `${baseLocation}[${i + 1}]` : baseLocation;
    const ctx: TransformContext = {
      message, segment: source, location, zone, vocabularies: mappings.vocabularies,
      ...(f.vocabulary ? { vocabulary: mappings.vocabularies.get(f.vocabulary) } : {}),
      issue: (sev, code, text, loc) => issue(sev, code, loc ?? location, text),
    };
    const value = fn(rep, ctx);
    if (value === undefined || value === null) return;
    setPath(resource, f.repeats && !f.to.endsWith('[]') && !f.to.endsWith('[x]') ? `${f.to}[]` : f.to, value);
    written++;
  });
  if (written === 0) fallback(f, resource, baseLocation, `"${field.value()}" could not be mapped`, issue);
}

/** A mapping's default, else an error when the target is required (FHIR 1..1 such as Observation.status). */
function fallback(f: FieldMap, resource: Record<string, unknown>, location: string, why: string, issue: IssueSink): void {
  if (f.default !== undefined) {
    if (f.required) issue('warning', ERROR_CODES.requiredFieldMissing, location, `${why}; ${f.to} set to ${JSON.stringify(f.default)}`);
    setPath(resource, f.to, structuredClone(f.default));
  } else if (f.required) {
    issue('error', ERROR_CODES.requiredFieldMissing, location, `${why}; ${f.to} is required`);
  }
}

/** Explicit transform, else the data type's, else a plain vocabulary lookup (checked at load). */
function transformFor(f: FieldMap, mappings: LoadedMappings): TransformName {
  if (f.transform) return f.transform as TransformName;
  if (f.datatype) return mappings.datatypes.get(f.datatype)!.transform as TransformName;
  return 'vocabulary-code';
}
