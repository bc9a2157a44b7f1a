import type { Bundle, BundleEntry, Provenance, Resource } from '@medplum/fhirtypes';
import type { Hl7v2Message, Hl7v2Segment } from '../ingest/hl7v2/index.js';
import { hl7ToFhirDateTime, supportedStructure } from '../ingest/hl7v2/index.js';
import { buildResource } from './build-resource.js';
import { ERROR_CODES, type ConvertIssue } from './convert-issue.js';
import { CONTEXT_TAG } from './entry-roles.js';
import type { LoadedMappings } from './load-mappings.js';
import { deterministicId, idRules, type IdRuleName, type IdScope } from './resource-ids.js';
import { segmentLocation, type AssembledEntry, type Assembly } from './steps/assembly.js';
import { steps } from './steps/index.js';
import { setPath } from './set-path.js';

export interface ConvertContext {
  /** IANA zone for HL7 times without an offset when the facility has none configured. */
  defaultZone: string;
  /** Zone configured for a sending facility (MSH-4), if any. */
  zoneFor(facility: string): string | undefined;
  mappings: LoadedMappings;
  /** Id of the stored source message, for Provenance.entity. */
  messageId?: string;
}

export interface ConvertResult {
  bundle: Bundle;
  issues: ConvertIssue[];
}

/**
 * One HL7v2 message → a FHIR R4 `transaction` Bundle of PUTs to deterministic ids, so replaying a
 * message, an A08 or a corrected result (OBX-11 `C`) updates the same resources, plus one
 * Provenance pointing back to the source message. Entries tagged with an entry role (entry-roles.ts)
 * are not full snapshots and must be applied as the tag says. Pure: nothing is stored. Issues with severity
 * `error` mean the caller must not store the bundle (AE with these as ERR segments).
 */
export function convertMessage(msg: Hl7v2Message, ctx: ConvertContext): ConvertResult {
  const issues: ConvertIssue[] = [];
  const issue: Assembly['issue'] = (severity, code, location, text) => issues.push({ severity, code, location, text });
  const { structure, code, trigger } = msg.messageType;
  // Senders put trigger-specific names in MSH-9.3 (ADT_A04, ADT_A40): fall back to table 0354.
  const map = ctx.mappings.messages.get(structure) ?? ctx.mappings.messages.get(supportedStructure(msg) ?? '');
  if (!map) {
    issue('error', ERROR_CODES.unsupportedMessageType, 'MSH-9', `message type ${code}^${trigger} (structure ${structure || 'unknown'}) has no mapping`);
    return { bundle: { resourceType: 'Bundle', type: 'transaction', entry: [] }, issues };
  }
  const zone = ctx.zoneFor(msg.sendingFacility) ?? ctx.defaultZone;
  const assembly: Assembly = { message: msg, mappings: ctx.mappings, zone, entries: [], issue };
  const byDef: { def: (typeof map.resources)[number]; entry: AssembledEntry }[] = [];
  const unstable: { entry: AssembledEntry; location: string }[] = [];

  for (const def of map.resources) {
    const segs = msg.segments(def.segment);
    if (segs.length === 0 && def.required) issue('error', ERROR_CODES.segmentSequence, def.segment, `required segment ${def.segment} is missing`);
    for (const seg of segs) {
      const location = segmentLocation(msg, seg);
      let resource: Record<string, unknown>;
      try {
        resource = buildResource(ctx.mappings.segments.get(def.map)!, seg, location, msg, ctx.mappings, zone, issue);
      } catch (err) {
        // A transform bug must become an AE naming the segment, not a crashed intake.
        issue('error', ERROR_CODES.internal, location, `mapping ${def.map} failed: ${(err as Error).message}`);
        continue;
      }
      const scope: IdScope = { message: msg, segment: seg, nearest: (name) => nearest(msg, seg, name) };
      const parts = idRules[def.id as IdRuleName](scope);
      const id = deterministicId(String(resource.resourceType), parts ?? [msg.sendingFacility, msg.controlId, String(seg.index)]);
      const meta = def.context ? { meta: { tag: [CONTEXT_TAG] } } : {};
      const entry: AssembledEntry = { resource: { ...resource, id, ...meta } as Resource & { id: string }, segment: seg };
      assembly.entries.push(entry);
      byDef.push({ def, entry });
      if (!parts) unstable.push({ entry, location });
    }
  }
  for (const { def, entry } of byDef) {
    for (const [p, target] of Object.entries(def.references ?? {})) {
      const t = nearestEntry(byDef.map((b) => b.entry).filter((e) => e.segment.name === target), entry.segment.index);
      if (t) setPath(entry.resource as unknown as Record<string, unknown>, p, { reference: `${t.resource.resourceType}/${t.resource.id}` });
    }
    for (const [p, child] of Object.entries(def.children ?? {})) {
      const end = msg.segments(def.segment).find((s) => s.index > entry.segment.index)?.index ?? Infinity;
      for (const c of assembly.entries.filter((e) => e.segment.name === child && e.segment.index > entry.segment.index && e.segment.index < end)) {
        setPath(entry.resource as unknown as Record<string, unknown>, p, { reference: `${c.resource.resourceType}/${c.resource.id}` });
      }
    }
  }
  for (const name of map.steps) steps[name as keyof typeof steps](assembly);
  // Reported after the steps: an entry a step dropped (A28's placeholder PV1) is never stored.
  for (const { entry: e, location } of unstable.filter((u) => !u.entry.dropped)) {
    issue('warning', ERROR_CODES.requiredFieldMissing, location, `no source identifier for a stable ${e.resource.resourceType} id; this one changes with each message`);
  }

  const emitted = dedupe(assembly.entries.filter((e) => !e.dropped), msg, issue);
  const entry: BundleEntry[] = emitted.map((e) => put(e.resource));
  if (emitted.length) entry.push(put(provenance(msg, ctx, emitted.map((e) => e.resource), zone)));
  return { bundle: { resourceType: 'Bundle', type: 'transaction', entry }, issues };
}

function put(resource: Resource & { id?: string }): BundleEntry {
  return { resource, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } };
}

/** Two segments mapping to one id (a resend inside one message, duplicate DG1s) keep the first. */
function dedupe(entries: AssembledEntry[], msg: Hl7v2Message, issue: Assembly['issue']): AssembledEntry[] {
  const seen = new Set<string>();
  return entries.filter((e) => {
    const key = `${e.resource.resourceType}/${e.resource.id}`;
    if (!seen.has(key)) return seen.add(key);
    issue('warning', ERROR_CODES.dataType, segmentLocation(msg, e.segment), `duplicates an earlier ${e.resource.resourceType} with the same source identifiers; ignored`);
    return false;
  });
}

function nearest(msg: Hl7v2Message, seg: Hl7v2Segment, name: string): Hl7v2Segment | undefined {
  const all = msg.segments(name);
  return all.filter((s) => s.index < seg.index).pop() ?? all[0];
}

function nearestEntry(entries: AssembledEntry[], index: number): AssembledEntry | undefined {
  return entries.filter((e) => e.segment.index < index).pop() ?? entries[0];
}

/**
 * Provenance of every resource in the bundle (https://hl7.org/fhir/R4/provenance.html): entity
 * `source` identifies the stored message (ctx.messageId) or, without one, MSH-10 scoped by MSH-4.
 * recorded = MSH-7, so the same message always yields the same Provenance.
 */
function provenance(msg: Hl7v2Message, ctx: ConvertContext, targets: Resource[], zone: string): Provenance {
  let recorded = '1970-01-01T00:00:00+00:00';
  try {
    const t = hl7ToFhirDateTime(msg.messageDateTime, zone).value;
    if (t.includes('T')) recorded = t;
  } catch {
    // MSH-7 is required but not always sent (node-hl7-client corpus); the epoch marks "unknown".
  }
  const facility = msg.sendingFacility;
  const what = ctx.messageId
    ? { identifier: { system: 'urn:sinew:message', value: ctx.messageId } }
    : { identifier: { system: `urn:sinew:msh-10:${encodeURIComponent(facility || 'unknown')}`, value: msg.controlId || 'unknown' } };
  return {
    resourceType: 'Provenance',
    id: deterministicId('Provenance', [facility, msg.controlId, ctx.messageId ?? '']),
    target: targets.map((r) => ({ reference: `${r.resourceType}/${r.id}` })),
    recorded,
    activity: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation', code: 'UPDATE', display: 'revise' }] },
    agent: [{
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
      who: { display: [msg.sendingApplication, facility].filter(Boolean).join('@') || 'unknown sender' },
    }],
    entity: [{ role: 'source', what: { ...what, display: `HL7v2 ${msg.messageType.code}^${msg.messageType.trigger} ${msg.controlId}` } }],
  };
}
