import { hl7ToFhirDateTime } from './dates.js';
import type { Hl7v2Message } from './message.js';
import { STRUCTURE_TABLE, structureFor, type StructureRule } from './structure-table.js';

/** HL7 table 0357 (message error condition codes) as used here. */
export const ERROR_CODES = {
  segmentSequence: 100,
  requiredFieldMissing: 101,
  dataType: 102,
  tableValue: 103,
  unsupportedMessageType: 200,
  unsupportedEventCode: 201,
  internalError: 207,
} as const;

export interface StructureIssue {
  code: number;
  /** HL7 location: `PID`, `PID-3`, `OBX[2]`, `MSH-9.3`. */
  location: string;
  text: string;
}

const SEGMENT_ID = /^[A-Z][A-Z0-9]{2}$/;
const ACK_TYPES = new Set(['AL', 'NE', 'ER', 'SU']);
const PROCESSING_IDS = new Set(['P', 'D', 'T']);

/**
 * The structure this message is validated against: MSH-9.3 when it names one we know, else the
 * table 0354 structure for MSH-9.1/9.2 and the version. Also accepts a structure id (then answers
 * whether it is known), the form the intake registry asks with.
 */
export function supportedStructure(msg: Hl7v2Message): string | undefined;
export function supportedStructure(structure: string): boolean;
export function supportedStructure(arg: Hl7v2Message | string): string | boolean | undefined {
  if (typeof arg === 'string') return isSupportedStructure(arg);
  const type = arg.messageType;
  const sent = arg.header.field(9).component(3);
  if (sent && isSupportedStructure(sent)) return sent;
  const derived = structureFor(type.code, type.trigger, arg.version);
  return isSupportedStructure(derived) ? derived : undefined;
}

export function isSupportedStructure(structure: string): boolean {
  return Object.hasOwn(STRUCTURE_TABLE.structures, structure);
}

/**
 * Structural validation against the simplified grammars in mappings/hl7v2/structures.json plus the
 * MSH fields every message needs. Collects every issue (STYLE.md pattern 5); never throws.
 * Z-segments and segments a grammar does not name may appear anywhere (HL7 v2.5.1 chapter 2.8.2).
 */
export function validateStructure(msg: Hl7v2Message): StructureIssue[] {
  const issues = headerIssues(msg);
  const segments = msg.segments();
  segments.forEach((s, i) => {
    if (!SEGMENT_ID.test(s.name)) issues.push({ code: 100, location: `segment ${i + 1}`, text: `'${s.name}' is not a segment id` });
  });
  const structure = supportedStructure(msg);
  const type = msg.messageType;
  if (!structure) {
    const codeKnown = Object.keys(STRUCTURE_TABLE.aliases).some((k) => k.startsWith(`${type.code}_`) || k === type.code);
    issues.push(
      codeKnown
        ? { code: 201, location: 'MSH-9.2', text: `unsupported event ${type.code}^${type.trigger}` }
        : { code: 200, location: 'MSH-9.1', text: `unsupported message type ${type.code}^${type.trigger}` },
    );
    return issues;
  }
  const sent = msg.header.field(9).component(3);
  // Many senders put CODE_TRIGGER in MSH-9.3 (ADT_A04): wrong per table 0354 but unambiguous.
  if (sent && sent !== structure && sent !== `${type.code}_${type.trigger}`) {
    issues.push({ code: 103, location: 'MSH-9.3', text: `'${sent}' is not a known message structure; validated as ${structure}` });
  }
  return issues.concat(ruleIssues(segments.map((s) => s.name), STRUCTURE_TABLE.structures[structure]!, structure));
}

function headerIssues(msg: Hl7v2Message): StructureIssue[] {
  const issues: StructureIssue[] = [];
  const type = msg.messageType;
  if (!type.code) issues.push({ code: 101, location: 'MSH-9', text: 'MSH-9 (message type) is empty' });
  else if (!type.trigger && type.code !== 'ACK') issues.push({ code: 101, location: 'MSH-9.2', text: 'MSH-9.2 (trigger event) is empty' });
  if (!msg.controlId) issues.push({ code: 101, location: 'MSH-10', text: 'MSH-10 (message control id) is empty' });
  if (!msg.version) issues.push({ code: 101, location: 'MSH-12', text: 'MSH-12 (version id) is empty' });
  else if (!STRUCTURE_TABLE.versions.includes(msg.version)) {
    issues.push({ code: 103, location: 'MSH-12', text: `MSH-12 '${msg.version}' is not an HL7 v2 version` });
  }
  const processing = msg.processingId.trim();
  if (processing && !PROCESSING_IDS.has(processing)) issues.push({ code: 103, location: 'MSH-11', text: `MSH-11 '${processing}' is not P, D or T (table 0103)` });
  for (const [n, value] of [[15, msg.acceptAckType.trim()], [16, msg.appAckType.trim()]] as const) {
    if (value && !ACK_TYPES.has(value)) issues.push({ code: 103, location: `MSH-${n}`, text: `MSH-${n} '${value}' is not AL, NE, ER or SU (table 0155)` });
  }
  const when = msg.messageDateTime;
  if (when) {
    try {
      hl7ToFhirDateTime(when, 'UTC');
    } catch {
      issues.push({ code: 102, location: 'MSH-7', text: `MSH-7 '${when}' is not an HL7 date/time` });
    }
  }
  return issues;
}

function ruleIssues(names: string[], rule: StructureRule, structure: string): StructureIssue[] {
  const issues: StructureIssue[] = [];
  const counts = new Map<string, number>();
  const first = new Map<string, number>();
  names.forEach((n, i) => {
    counts.set(n, (counts.get(n) ?? 0) + 1);
    if (!first.has(n)) first.set(n, i);
  });
  for (const [seg, min] of Object.entries(rule.required)) {
    const have = counts.get(seg) ?? 0;
    if (have < min) {
      const text = min === 1 ? `${structure} requires a ${seg} segment` : `${structure} requires ${min} ${seg} segments, found ${have}`;
      issues.push({ code: 100, location: seg, text });
    }
  }
  for (const seg of rule.single ?? []) {
    if ((counts.get(seg) ?? 0) > 1) issues.push({ code: 100, location: `${seg}[2]`, text: `${structure} allows one ${seg} segment, found ${counts.get(seg)}` });
  }
  let prev: string | undefined;
  for (const seg of rule.order) {
    const at = first.get(seg);
    if (at === undefined) continue;
    if (prev !== undefined && at < first.get(prev)!) {
      issues.push({ code: 100, location: seg, text: `${seg} must come after ${prev} in ${structure}` });
    } else prev = seg;
  }
  for (const [seg, parents] of Object.entries(rule.after ?? {})) {
    let occurrence = 0;
    names.forEach((n, i) => {
      if (n !== seg) return;
      occurrence++;
      if (!parents.some((p) => (first.get(p) ?? Infinity) < i)) {
        issues.push({ code: 100, location: occurrence > 1 ? `${seg}[${occurrence}]` : seg, text: `${seg} must follow ${parents.join(' or ')} in ${structure}` });
      }
    });
  }
  return issues;
}
