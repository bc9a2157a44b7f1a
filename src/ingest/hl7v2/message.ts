import { Hl7Context, Hl7Message, Hl7Segment } from '@medplum/core';
import { OperationOutcomeError, invalidIssue, outcome } from '../../fhir/outcomes.js';
import { hl7CharsetToEncoding } from './charsets.js';
import type { EncodingCharacters } from './encoding-characters.js';
import type { Hl7v2Field, FieldContext } from './field.js';
import { parseHl7Path } from './path.js';
import { toSegmentLines } from './segment-lines.js';
import { Hl7v2Segment } from './segment.js';
import { structureFor } from './structure-table.js';

export type { EncodingCharacters } from './encoding-characters.js';

export interface MessageType {
  code: string;
  trigger: string;
  /** MSH-9.3, or the table 0354 structure for code + trigger when MSH-9.3 is empty. */
  structure: string;
}

/**
 * One HL7v2 message over its segment lines. Parsing only validates MSH-1/MSH-2 and finds segment
 * boundaries; fields are split and unescaped when read, which keeps the ingest path cheap.
 * `toString()` gives back the input with terminators normalised to CR.
 */
export class Hl7v2Message implements FieldContext {
  readonly encoding: EncodingCharacters;
  /** iconv-lite name of the charset `\Xhh\` escapes decode in (opts.charset, else MSH-18, else UTF-8). */
  readonly charset: string;
  /** Stray line breaks joined back into their segment (see segment-lines.ts). */
  readonly warnings: string[];
  readonly #lines: string[];
  #segments: Hl7v2Segment[] | undefined;

  private constructor(lines: string[], encoding: EncodingCharacters, charset: string | undefined, warnings: string[]) {
    this.#lines = lines;
    this.encoding = encoding;
    this.warnings = warnings;
    this.charset = 'utf8';
    const declared = charset ?? new Hl7v2Segment(lines[0]!, 0, this).field(18).repetition(1).raw();
    this.charset = hl7CharsetToEncoding(declared) ?? 'utf8';
  }

  /**
   * Parses one message. Throws OperationOutcomeError naming the location (`MSH`, `MSH-1`, `MSH-2`,
   * `MSH[2]`) for empty text, a first segment other than MSH, bad encoding characters or a second
   * message in the text (use splitMessages for batches).
   */
  static parse(text: string, opts?: { charset?: string }): Hl7v2Message {
    if (!text || text.trim() === '') throw fail('empty HL7 message', 'MSH');
    const { lines, issues } = toSegmentLines(text);
    const first = lines[0] ?? '';
    if (!first.startsWith('MSH')) {
      const what = /^(FHS|BHS)/.test(first) ? `a ${first.slice(0, 3)} batch header; split it with splitMessages` : 'not an MSH segment';
      throw fail(`HL7 message must start with MSH, found ${what}`, 'MSH');
    }
    const encoding = readEncoding(first);
    for (let i = 1; i < lines.length; i++) {
      if (lines[i]!.startsWith(`MSH${encoding.field}`)) throw fail('text holds more than one message; split it with splitMessages', 'MSH[2]');
    }
    return new Hl7v2Message(lines, encoding, opts?.charset, issues);
  }

  get messageType(): MessageType {
    const msh9 = this.header.field(9);
    const code = msh9.component(1);
    const trigger = msh9.component(2);
    return { code, trigger, structure: msh9.component(3) || structureFor(code, trigger, this.version) };
  }

  get header(): Hl7v2Segment {
    return this.segments()[0]!;
  }

  get controlId(): string { return this.header.field(10).component(1); }
  /** MSH-12.1 (VID.1). */
  get version(): string { return this.header.field(12).component(1); }
  /** HD namespace id, else universal id. */
  get sendingApplication(): string { return hd(this.header.field(3)); }
  get sendingFacility(): string { return hd(this.header.field(4)); }
  get receivingApplication(): string { return hd(this.header.field(5)); }
  get receivingFacility(): string { return hd(this.header.field(6)); }
  /** MSH-7 as sent (HL7 DTM); convert with hl7ToFhirDateTime. */
  get messageDateTime(): string { return this.header.field(7).component(1); }
  get processingId(): string { return this.header.field(11).component(1); }
  /** MSH-15: empty means original acknowledgement mode (HL7 v2.5.1 chapter 2.9). */
  get acceptAckType(): string { return this.header.field(15).component(1); }
  /** MSH-16. */
  get appAckType(): string { return this.header.field(16).component(1); }

  /** All segments, or those named `name`, in message order. */
  segments(name?: string): Hl7v2Segment[] {
    const all = (this.#segments ??= this.#lines.map((line, i) => new Hl7v2Segment(line, i, this)));
    return name === undefined ? all : all.filter((s) => s.name === name);
  }

  /** The first segment named `name`. */
  segment(name: string, occurrence = 1): Hl7v2Segment | undefined {
    let seen = 0;
    for (const s of this.segments()) if (s.name === name && ++seen === occurrence) return s;
    return undefined;
  }

  /** Unescaped value at `PID-3`, `PID-3.1`, `PID-3[2].4.1`, `OBX[2]-5`; '' when absent. */
  get(path: string): string {
    const p = parseHl7Path(path);
    if (!p.segment) throw fail(`'${path}' names no segment`, path);
    return this.segment(p.segment, p.segmentRepetition)?.at(p) ?? '';
  }

  toString(): string {
    return this.#lines.join('\r');
  }

  /** The same message as a medplum Hl7Message, e.g. for `buildAck()`. */
  toMedplum(): Hl7Message {
    const e = this.encoding;
    const context = new Hl7Context('\r', e.field, e.component, e.repetition, e.escape, e.subcomponent);
    return new Hl7Message(this.#lines.map((l) => Hl7Segment.parse(l, context)), context);
  }
}

/**
 * MSH-1 and MSH-2 read by position (HL7 v2.5.1 chapter 2.14.9.1-2): 4 distinct characters, or 5
 * with the v2.7 truncation character; none may repeat the field separator. `^~\\&` (a doubled
 * backslash from Java escaping, LinuxForHealth #48) is rejected rather than guessed at.
 */
function readEncoding(msh: string): EncodingCharacters {
  const field = msh.charAt(3);
  if (!field || /[A-Za-z0-9\s]/.test(field)) throw fail('MSH-1 (field separator) is missing or invalid', 'MSH-1');
  const end = msh.indexOf(field, 4);
  const chars = msh.slice(4, end < 0 ? msh.length : end);
  if (chars.length !== 4 && chars.length !== 5) {
    throw fail(`MSH-2 '${chars}' must be 4 or 5 encoding characters`, 'MSH-2');
  }
  const all = [field, ...chars];
  if (new Set(all).size !== all.length || /[A-Za-z0-9\s]/.test(chars)) {
    throw fail(`MSH-2 '${chars}' repeats a separator or uses a letter, digit or space`, 'MSH-2');
  }
  const [component, repetition, escape, subcomponent, truncation] = [...chars] as [string, string, string, string, string?];
  return { field, component, repetition, escape, subcomponent, ...(truncation ? { truncation } : {}) };
}

function hd(field: Hl7v2Field): string {
  return field.component(1) || field.component(2);
}

function fail(text: string, location: string): OperationOutcomeError {
  return new OperationOutcomeError(outcome([invalidIssue(text, location)]));
}
