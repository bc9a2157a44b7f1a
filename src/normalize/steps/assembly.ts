import type { Resource } from '@medplum/fhirtypes';
import type { Hl7v2Message, Hl7v2Segment } from '../../ingest/hl7v2/index.js';
import type { IssueSeverity } from '../convert-issue.js';
import type { LoadedMappings } from '../load-mappings.js';
import type { TransformContext } from '../transforms/transform.js';

/** One resource made from one segment occurrence. */
export interface AssembledEntry {
  resource: Resource & { id: string };
  segment: Hl7v2Segment;
  /** Dropped entries stay in the list (so references made earlier still resolve) but are not emitted. */
  dropped?: boolean;
}

/** What a message step works on: everything built so far, in segment order. */
export interface Assembly {
  readonly message: Hl7v2Message;
  readonly mappings: LoadedMappings;
  readonly zone: string;
  readonly entries: AssembledEntry[];
  issue(severity: IssueSeverity, code: string, location: string, text: string): void;
}

export type MessageStep = (a: Assembly) => void;

export function ref(r: Resource & { id: string }): { reference: string } {
  return { reference: `${r.resourceType}/${r.id}` };
}

export function live(a: Assembly, type: string): AssembledEntry[] {
  return a.entries.filter((e) => !e.dropped && e.resource.resourceType === type);
}

/** `OBX[3]`: HL7 ERR-2 style location of a segment occurrence. */
export function segmentLocation(message: Hl7v2Message, seg: Hl7v2Segment): string {
  const nth = message.segments(seg.name).indexOf(seg) + 1;
  return nth > 1 ? `${seg.name}[${nth}]` : seg.name;
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** Segments after `seg` up to (not including) the next segment named in `stop`: its group's tail. */
export function groupAfter(message: Hl7v2Message, seg: Hl7v2Segment, stop: readonly string[]): Hl7v2Segment[] {
  const out: Hl7v2Segment[] = [];
  for (const s of message.segments().filter((x) => x.index > seg.index)) {
    if (stop.includes(s.name)) break;
    out.push(s);
  }
  return out;
}

/** A transform context for a field a step reads directly (same issue locations as mapped fields). */
export function stepContext(a: Assembly, segment: Hl7v2Segment, field: number): TransformContext {
  const location = `${segmentLocation(a.message, segment)}-${field}`;
  return {
    message: a.message, segment, location, zone: a.zone, vocabularies: a.mappings.vocabularies,
    issue: (sev, code, text, loc) => a.issue(sev, code, loc ?? location, text),
  };
}
