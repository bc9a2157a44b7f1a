/**
 * Pure MLLP release 2 frame codec: `<VT=0x0B> payload <FS=0x1C><CR=0x0D>`. No sockets, no HL7.
 * See: HL7 v2.x MLLP Transport Specification, release 2 (HL7 Version 3 Standard: Transport
 * Specification - MLLP, R2), https://www.hl7.org/implement/standards/product_brief.cfm?product_id=55
 *
 * Design choices:
 * - Input is scanned chunk by chunk with Buffer.indexOf and every byte is looked at once; a partial
 *   frame is kept as a list of slices and joined only when it completes, so a slow sender never
 *   makes us re-scan or re-copy a growing buffer.
 * - A VT seen inside a frame means the sender gave up on the earlier frame and started a new one
 *   (VT is reserved by MLLP and cannot occur in a valid payload): the earlier partial is reported
 *   as `discarded` and decoding restarts at the new VT. Dropping the new VT instead would turn one
 *   broken frame into two lost ones.
 * - An FS not followed by CR is payload. An FS that ends a chunk is held back until the next byte
 *   decides, which is how a trailer split across two TCP reads is handled.
 * - A frame longer than maxFrameBytes keeps only its first headBytes (so the caller can still read
 *   MSH, store a receipt and reply) and the rest is counted, not stored, up to the trailer.
 */

export const MLLP_START = 0x0b;
export const MLLP_END = 0x1c;
export const MLLP_CR = 0x0d;

export const DEFAULT_HEAD_BYTES = 64 * 1024;

export type FrameEvent =
  | { kind: 'frame'; payload: Buffer }
  | { kind: 'oversized'; head: Buffer; totalBytes: number }
  | { kind: 'discarded'; bytes: number };

export interface FrameDecoderOptions {
  /** Largest payload (bytes, trailer excluded) delivered whole as a `frame`. */
  maxFrameBytes: number;
  /** How much of an oversized payload is kept for the `oversized` event; default 64 KiB. */
  headBytes?: number;
}

const FS_BYTE = Buffer.from([MLLP_END]);
/** Slices shorter than this are copied into a staging block, so a byte-at-a-time sender does not
 * leave one Buffer object per byte. */
const SMALL_SLICE = 512;
const STAGE_BYTES = 16 * 1024;

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private readonly headBytes: number;
  private inFrame = false;
  /** The previous chunk ended with FS inside a frame; its meaning depends on the next byte. */
  private pendingFs = false;
  private parts: Buffer[] = [];
  private kept = 0;
  private frameBytes = 0;
  private oversized = false;
  private stage: Buffer | null = null;
  private stageLen = 0;

  constructor(opts: FrameDecoderOptions) {
    if (!Number.isInteger(opts.maxFrameBytes) || opts.maxFrameBytes < 0) {
      throw new RangeError('maxFrameBytes must be a non-negative integer');
    }
    const headBytes = opts.headBytes ?? DEFAULT_HEAD_BYTES;
    if (!Number.isInteger(headBytes) || headBytes < 0) throw new RangeError('headBytes must be a non-negative integer');
    this.maxFrameBytes = opts.maxFrameBytes;
    this.headBytes = headBytes;
  }

  /**
   * Bytes of the unfinished frame seen so far, start byte included: what would be lost if the
   * stream ended now. 0 between frames.
   */
  get pendingBytes(): number {
    return this.inFrame ? 1 + this.frameBytes + (this.pendingFs ? 1 : 0) : 0;
  }

  /** Bytes actually held in memory for the unfinished frame (bounded for oversized frames). */
  get bufferedBytes(): number {
    return this.kept;
  }

  push(chunk: Buffer): FrameEvent[] {
    const events: FrameEvent[] = [];
    const len = chunk.length;
    let pos = 0;
    // Cached position of the next VT at or after pos; -2 = not looked up yet, -1 = none left.
    let nextVt = -2;
    const findVt = (): number => {
      if (nextVt === -2 || (nextVt !== -1 && nextVt < pos)) nextVt = chunk.indexOf(MLLP_START, pos);
      return nextVt;
    };

    if (this.pendingFs && len > 0) {
      this.pendingFs = false;
      if (chunk[0] === MLLP_CR) {
        this.emit(events);
        pos = 1;
      } else {
        this.append(FS_BYTE);
      }
    }

    while (pos < len) {
      if (!this.inFrame) {
        const vt = findVt();
        if (vt === -1) {
          events.push({ kind: 'discarded', bytes: len - pos });
          return events;
        }
        if (vt > pos) events.push({ kind: 'discarded', bytes: vt - pos });
        this.startFrame();
        pos = vt + 1;
        continue;
      }

      const fs = chunk.indexOf(MLLP_END, pos);
      const vt = findVt();
      if (vt !== -1 && (fs === -1 || vt < fs)) {
        this.append(chunk.subarray(pos, vt));
        events.push({ kind: 'discarded', bytes: this.pendingBytes });
        this.startFrame();
        pos = vt + 1;
        continue;
      }
      if (fs === -1) {
        this.append(chunk.subarray(pos));
        return events;
      }
      this.append(chunk.subarray(pos, fs));
      if (fs + 1 === len) {
        this.pendingFs = true;
        return events;
      }
      if (chunk[fs + 1] === MLLP_CR) {
        this.emit(events);
        pos = fs + 2;
      } else {
        this.append(FS_BYTE);
        pos = fs + 1;
      }
    }
    return events;
  }

  /**
   * Ends the stream: an unfinished frame is reported as discarded and the decoder is reset, so a
   * socket layer can log what a disconnecting peer left behind.
   */
  end(): FrameEvent[] {
    const pending = this.pendingBytes;
    this.inFrame = false;
    this.pendingFs = false;
    this.resetFrame();
    return pending > 0 ? [{ kind: 'discarded', bytes: pending }] : [];
  }

  private startFrame(): void {
    this.inFrame = true;
    this.pendingFs = false;
    this.resetFrame();
  }

  private resetFrame(): void {
    this.parts = [];
    this.kept = 0;
    this.frameBytes = 0;
    this.oversized = false;
    this.stage = null;
    this.stageLen = 0;
  }

  private append(slice: Buffer): void {
    if (slice.length === 0) return;
    this.frameBytes += slice.length;
    if (!this.oversized) {
      this.keep(slice);
      if (this.frameBytes > this.maxFrameBytes) {
        this.oversized = true;
        this.flushStage();
        // Buffer.concat truncates to the given length and copies, so the big chunks can be freed.
        const head = Buffer.concat(this.parts, Math.min(this.headBytes, this.kept));
        this.parts = [head];
        this.kept = head.length;
      }
      return;
    }
    if (this.kept < this.headBytes) {
      const take = Buffer.from(slice.subarray(0, this.headBytes - this.kept));
      this.parts.push(take);
      this.kept += take.length;
    }
  }

  /** Large slices still point into the caller's chunk; they are copied once, when the frame completes. */
  private keep(slice: Buffer): void {
    this.kept += slice.length;
    if (slice.length >= SMALL_SLICE) {
      this.flushStage();
      this.parts.push(slice);
      return;
    }
    if (this.stage !== null && this.stageLen + slice.length > this.stage.length) this.flushStage();
    this.stage ??= Buffer.allocUnsafe(STAGE_BYTES);
    slice.copy(this.stage, this.stageLen);
    this.stageLen += slice.length;
  }

  private flushStage(): void {
    if (this.stage !== null && this.stageLen > 0) this.parts.push(this.stage.subarray(0, this.stageLen));
    this.stage = null;
    this.stageLen = 0;
  }

  private emit(events: FrameEvent[]): void {
    this.flushStage();
    const payload = Buffer.concat(this.parts, this.kept);
    if (this.oversized) {
      events.push({ kind: 'oversized', head: payload, totalBytes: this.frameBytes });
    } else {
      events.push({ kind: 'frame', payload });
    }
    this.inFrame = false;
    this.pendingFs = false;
    this.resetFrame();
  }
}

/** Wraps one payload in an MLLP release 2 frame. Strings are encoded as UTF-8. */
export function wrapFrame(payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const out = Buffer.allocUnsafe(body.length + 3);
  out[0] = MLLP_START;
  body.copy(out, 1);
  out[body.length + 1] = MLLP_END;
  out[body.length + 2] = MLLP_CR;
  return out;
}
