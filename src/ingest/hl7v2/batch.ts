import { toSegmentLines } from './segment-lines.js';

export interface SplitResult {
  /** Each message as its segments joined by CR, without a trailing terminator. */
  messages: string[];
  batch?: { fhs?: string; bhs?: string[]; declaredCount?: number };
  issues: string[];
}

/**
 * Splits a file, batch or stream of concatenated messages into messages. Envelope segments
 * FHS/BHS/BTS/FTS are taken off (HL7 v2.5.1 chapter 2.10.3, batch protocol); only a line that
 * starts with MSH + separator starts a message, so "MSH" inside an OBX value never does
 * (node-hl7-client batch.hl7). BTS-1 and FTS-1 counts are checked, not trusted.
 */
export function splitMessages(text: string): SplitResult {
  const { lines, issues } = toSegmentLines(text);
  const messages: string[] = [];
  let current: string[] | undefined;
  let fhs: string | undefined;
  const bhs: string[] = [];
  let batchCount = 0;
  let inBatch = 0;
  let declared: number | undefined;
  let batches = 0;
  let orphans = 0;

  const flush = (): void => {
    if (current) messages.push(current.join('\r'));
    current = undefined;
  };

  for (const line of lines) {
    const id = line.slice(0, 3);
    if (id === 'MSH') {
      flush();
      current = [line];
      inBatch++;
    } else if (id === 'FHS') {
      flush();
      fhs = line;
    } else if (id === 'BHS') {
      flush();
      bhs.push(line);
      batches++;
      inBatch = 0;
    } else if (id === 'BTS') {
      flush();
      const count = countField(line);
      if (count !== undefined) {
        declared = (declared ?? 0) + count;
        if (count !== inBatch) issues.push(`BTS-1 declares ${count} messages but the batch has ${inBatch}`);
      }
      batchCount++;
      inBatch = 0;
    } else if (id === 'FTS') {
      flush();
      const count = countField(line);
      const seen = Math.max(batches, batchCount);
      if (count !== undefined && count !== seen) issues.push(`FTS-1 declares ${count} batches but the file has ${seen}`);
    } else if (current) {
      current.push(line);
    } else {
      orphans++;
    }
  }
  flush();
  if (orphans > 0) issues.push(`${orphans} line(s) before the first MSH segment were ignored`);
  const isBatch = fhs !== undefined || bhs.length > 0 || batchCount > 0;
  const batch = isBatch
    ? { ...(fhs !== undefined ? { fhs } : {}), ...(bhs.length ? { bhs } : {}), ...(declared !== undefined ? { declaredCount: declared } : {}) }
    : undefined;
  return { messages, ...(batch ? { batch } : {}), issues };
}

/** BTS-1 / FTS-1: an NM count; empty means "not declared". */
function countField(line: string): number | undefined {
  const value = line.slice(4).split(line.charAt(3))[0]?.trim() ?? '';
  if (value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
