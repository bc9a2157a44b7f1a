import { BatchEnvelope } from './batch-envelope.js';

/** One thing found in an HL7v2 file, in file order. */
export type Hl7FileItem =
  /** A message's exact bytes from `MSH` up to (not including) its trailing terminators. */
  | { kind: 'message'; bytes: Buffer; offset: number; line: number }
  /** Bytes that are not imported: text outside any message, or a message over the size limit. */
  | { kind: 'skipped'; offset: number; bytes: number; reason: string }
  /** Something worth telling the operator that loses nothing, e.g. a BTS-1/FTS-1 count mismatch. */
  | { kind: 'warning'; offset: number; line: number; reason: string };

/** Default limit per message, the same as the MLLP listener's default (`--mllp-max-message-bytes`). */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

const CR = 0x0d;
const LF = 0x0a;
const VT = 0x0b; // MLLP start block
const FS = 0x1c; // MLLP end block
const SP = 0x20;
const TAB = 0x09;
/** Envelope lines are only read for BTS-1/FTS-1, so a few kilobytes of each are plenty. */
const ENVELOPE_KEEP = 4096;

type LineKind = 'MSH' | 'FHS' | 'BHS' | 'BTS' | 'FTS' | 'other';
type Region = 'orphan' | 'message' | 'envelope';
const OTHER = { kind: 'other' as LineKind, bom: 0 };

/**
 * Splits an HL7v2 byte stream into messages without ever holding more than one message (and
 * never one over the limit). Pure and synchronous: feed chunks to `push`, then call `end`.
 *
 * Works on bytes, not text, because each message may declare its own MSH-18 charset; every byte
 * HL7 uses as structure (segment ids, CR, LF, separators) is ASCII in every charset HL7 allows, so
 * lines can be found before decoding. A message starts at a line that begins with `MSH` and its
 * field separator, exactly the rule of ../hl7v2/batch.ts; any other line belongs to the open
 * message, so a base64 value broken by a stray CR stays inside it. CR, LF, CRLF and mixes all end
 * lines. MLLP block bytes (0x0B, 0x1C) end whatever is open, so engine dumps of framed traffic
 * split the same way. A UTF-8 BOM before a header line (file start, or concatenated files) is
 * dropped. Only a line start needs lookahead (BOM + `MSH|` = 7 bytes), which is the only thing
 * carried between chunks, so chunk boundaries cannot change the result.
 */
export class Hl7ByteSplitter {
  private readonly maxMessageBytes: number;
  private readonly envelope = new BatchEnvelope();
  private carry: Buffer | undefined;
  private carryOffset = 0;
  private received = 0;
  private atLineStart = true;
  private line = 1;
  private prev = -1;
  private sep = 0x7c;
  private seenMessage = false;
  private region: Region = 'orphan';
  private regionOffset = 0;
  private regionLine = 1;
  private parts: Buffer[] = [];
  private size = 0;
  private tooBig = false;
  private orphanContent = -1;

  constructor(opts: { maxMessageBytes?: number } = {}) {
    const max = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(max) || max <= 0) throw new RangeError('maxMessageBytes must be a positive integer');
    this.maxMessageBytes = max;
  }

  push(chunk: Uint8Array): Hl7FileItem[] {
    return this.scan(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), false);
  }

  end(): Hl7FileItem[] {
    const out = this.scan(Buffer.alloc(0), true);
    this.finishRegion(out);
    this.startRegion('orphan', this.received);
    return out;
  }

  private scan(chunk: Buffer, final: boolean): Hl7FileItem[] {
    const out: Hl7FileItem[] = [];
    let buf = chunk;
    let base = this.received;
    if (this.carry) {
      buf = Buffer.concat([this.carry, chunk]);
      base = this.carryOffset;
      this.carry = undefined;
    }
    this.received = base + buf.length;
    let segStart = 0;
    let i = 0;
    while (i < buf.length) {
      if (this.atLineStart) {
        const c = classify(buf, i, final, this.sep);
        if (c === undefined) {
          this.append(buf, segStart, i);
          this.carry = Buffer.from(buf.subarray(i));
          this.carryOffset = base + i;
          return out;
        }
        this.atLineStart = false;
        if (c.kind !== 'other') {
          this.append(buf, segStart, i);
          this.finishRegion(out);
          const start = i + c.bom;
          if (c.kind === 'MSH') {
            this.envelope.message();
            this.seenMessage = true;
          }
          if (c.kind === 'MSH' || c.kind === 'FHS' || c.kind === 'BHS') this.sep = buf[start + 3]!;
          this.startRegion(c.kind === 'MSH' ? 'message' : 'envelope', base + start);
          this.prev = buf[start - 1] ?? this.prev;
          segStart = i = start;
        } else if (this.region === 'envelope') {
          // An envelope segment is one line; whatever follows it up to the next MSH is outside.
          this.append(buf, segStart, i);
          this.finishRegion(out);
          this.startRegion('orphan', base + i);
          segStart = i;
        } else if (c.bom > 0 && this.region === 'orphan') {
          // A BOM on its own is not "text before the first MSH" worth reporting.
          this.prev = buf[i + 2]!;
          i += c.bom;
          continue;
        }
      }
      const b = buf[i]!;
      if (b === CR || b === LF) {
        if (b === CR || this.prev !== CR) this.line++;
        this.atLineStart = true;
      } else if (b === VT || b === FS) {
        this.append(buf, segStart, i);
        this.finishRegion(out);
        this.startRegion('orphan', base + i + 1);
        segStart = i + 1;
        this.atLineStart = true;
      } else if (this.region === 'orphan' && this.orphanContent < 0 && b !== SP && b !== TAB) {
        this.orphanContent = base + i;
      }
      this.prev = b;
      i++;
    }
    this.append(buf, segStart, buf.length);
    return out;
  }

  /** Adds buf[from, to) to the open region; a message over the limit is counted, not kept. */
  private append(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n <= 0) return;
    if (this.region === 'message' && !this.tooBig) {
      if (this.size + n > this.maxMessageBytes) {
        this.tooBig = true;
        this.parts = [];
      } else {
        // A copy, so that a caller reusing its read buffer cannot change a message we hold.
        this.parts.push(Buffer.from(buf.subarray(from, to)));
      }
    } else if (this.region === 'envelope' && this.size < ENVELOPE_KEEP) {
      this.parts.push(Buffer.from(buf.subarray(from, Math.min(to, from + ENVELOPE_KEEP - this.size))));
    }
    this.size += n;
  }

  private startRegion(region: Region, offset: number): void {
    this.region = region;
    this.regionOffset = offset;
    this.regionLine = this.line;
    this.parts = [];
    this.size = 0;
    this.tooBig = false;
    this.orphanContent = -1;
  }

  private finishRegion(out: Hl7FileItem[]): void {
    if (this.region === 'message') {
      if (this.tooBig) {
        const reason = `message at line ${this.regionLine} is larger than the limit of ${this.maxMessageBytes} bytes (${this.size} bytes); not imported`;
        out.push({ kind: 'skipped', offset: this.regionOffset, bytes: this.size, reason });
      } else {
        const whole = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
        const bytes = whole.subarray(0, trimmedLength(whole));
        if (bytes.length > 0) out.push({ kind: 'message', bytes, offset: this.regionOffset, line: this.regionLine });
      }
    } else if (this.region === 'envelope') {
      const whole = Buffer.concat(this.parts);
      const reason = this.envelope.line(whole.toString('latin1', 0, trimmedLength(whole)));
      if (reason) out.push({ kind: 'warning', offset: this.regionOffset, line: this.regionLine, reason });
    } else if (this.orphanContent >= 0) {
      const bytes = this.regionOffset + this.size - this.orphanContent;
      const where = this.seenMessage ? 'outside any message (after a batch envelope or an MLLP frame)' : 'before the first MSH segment';
      out.push({ kind: 'skipped', offset: this.orphanContent, bytes, reason: `${bytes} bytes of text ${where}` });
    }
  }
}

/**
 * What the line at buf[i] is, or undefined when more bytes are needed to tell (at most 7: a BOM,
 * a segment id and the separator). At the end of input, missing bytes count as end of line.
 */
function classify(buf: Buffer, i: number, final: boolean, sep: number): { kind: LineKind; bom: number } | undefined {
  let p = i;
  let bom = 0;
  if (buf[p] === 0xef) {
    if (p + 3 > buf.length) return final ? OTHER : undefined;
    if (buf[p + 1] !== 0xbb || buf[p + 2] !== 0xbf) return OTHER;
    bom = 3;
    p += 3;
  }
  if (p >= buf.length) return final ? { kind: 'other', bom } : undefined;
  const first = buf[p];
  if (first !== 0x4d && first !== 0x46 && first !== 0x42) return { kind: 'other', bom }; // M F B
  if (p + 4 > buf.length && !final) return undefined;
  const id = buf.toString('latin1', p, Math.min(p + 3, buf.length));
  const c = p + 3 < buf.length ? buf[p + 3]! : -1;
  if (id === 'MSH' || id === 'FHS' || id === 'BHS') return c >= 0 && isFieldSeparator(c) ? { kind: id, bom } : { kind: 'other', bom };
  if (id === 'BTS' || id === 'FTS') {
    const ends = c < 0 || c === sep || c === CR || c === LF || c === VT || c === FS;
    return ends ? { kind: id, bom } : { kind: 'other', bom };
  }
  return { kind: 'other', bom };
}

/** The rule of `headerSeparator` in ../hl7v2/segment-lines.ts, on a byte (plus the MLLP bytes). */
function isFieldSeparator(c: number): boolean {
  const upperOrDigit = (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
  return !upperOrDigit && c !== CR && c !== LF && c !== SP && c !== VT && c !== FS;
}

/** Length without trailing terminators and trailing whitespace-only lines; interior bytes stay. */
function trimmedLength(bytes: Buffer): number {
  let end = bytes.length;
  for (;;) {
    while (end > 0 && (bytes[end - 1] === CR || bytes[end - 1] === LF)) end--;
    let k = end;
    while (k > 0 && (bytes[k - 1] === SP || bytes[k - 1] === TAB)) k--;
    if (k < end && (k === 0 || bytes[k - 1] === CR || bytes[k - 1] === LF)) {
      end = k;
      continue;
    }
    return end;
  }
}
