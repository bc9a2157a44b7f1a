/**
 * Counts messages and batches against the FHS/BHS/BTS/FTS envelope of a streamed HL7v2 file, the
 * same check (and the same wording) as `splitMessages` in ../hl7v2/batch.ts, which sees the whole
 * text at once and so cannot be reused on a stream. BTS-1 and FTS-1 are checked, not trusted.
 * See: HL7 v2.5.1 chapter 2.10.3 (batch protocol).
 */
export class BatchEnvelope {
  private inBatch = 0;
  private batches = 0;
  private closedBatches = 0;

  /** A message (MSH) was seen. */
  message(): void {
    this.inBatch++;
  }

  /** An envelope line (text, without terminator); returns a warning when its count is wrong. */
  line(text: string): string | undefined {
    const id = text.slice(0, 3);
    if (id === 'BHS') {
      this.batches++;
      this.inBatch = 0;
    } else if (id === 'BTS') {
      const count = countField(text);
      const seen = this.inBatch;
      this.closedBatches++;
      this.inBatch = 0;
      if (count !== undefined && count !== seen) return `BTS-1 declares ${count} messages but the batch has ${seen}`;
    } else if (id === 'FTS') {
      const count = countField(text);
      const seen = Math.max(this.batches, this.closedBatches);
      if (count !== undefined && count !== seen) return `FTS-1 declares ${count} batches but the file has ${seen}`;
    }
    return undefined;
  }
}

/** BTS-1 / FTS-1: an NM count; empty means "not declared". */
function countField(line: string): number | undefined {
  const sep = line.charAt(3);
  const value = (sep ? line.slice(4).split(sep)[0] : '')?.trim() ?? '';
  if (value === '') return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}
