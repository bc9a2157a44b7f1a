export interface NdjsonItem {
  /** 1-based line number in the file. */
  line: number;
  value?: unknown;
  error?: string;
}

/** Default limit per line; one FHIR resource per line rarely passes a few megabytes. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

/**
 * Streams NDJSON (https://hl7.org/fhir/R4/ndjson.html) one line at a time: each non-blank line is
 * parsed on its own, and a bad line yields its line number and the JSON error while the rest carry
 * on (batch jobs report per item). Lines are split on bytes before decoding, so a multi-byte
 * character across chunks is whole; invalid UTF-8 is an error for that line, not U+FFFD in data.
 * A line over `maxLineBytes` is reported without being kept.
 */
export async function* readNdjson(
  stream: AsyncIterable<Uint8Array>,
  opts: { maxLineBytes?: number } = {},
): AsyncGenerator<NdjsonItem> {
  const max = opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let parts: Buffer[] = [];
  let size = 0;
  let line = 1;
  const add = (bytes: Buffer): void => {
    if (size + bytes.length > max) parts = [];
    else parts.push(Buffer.from(bytes));
    size += bytes.length;
  };
  const finish = (): NdjsonItem | undefined => {
    const item = size > max ? { line, error: `line ${line} is longer than the limit of ${max} bytes` } : parseLine(Buffer.concat(parts), line, decoder);
    parts = [];
    size = 0;
    line++;
    return item;
  };
  for await (const chunk of stream) {
    const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let at = 0;
    for (let lf = buf.indexOf(LF, at); lf >= 0; lf = buf.indexOf(LF, at)) {
      add(buf.subarray(at, lf));
      at = lf + 1;
      const item = finish();
      if (item) yield item;
    }
    if (at < buf.length) add(buf.subarray(at));
  }
  if (size > 0) {
    const item = finish();
    if (item) yield item;
  }
}

/** One line → item; blank lines (and a lone CR) yield nothing but still count as lines. */
function parseLine(bytes: Buffer, line: number, decoder: TextDecoder): NdjsonItem | undefined {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === CR ? bytes.length - 1 : bytes.length;
  let text: string;
  try {
    // The decoder drops a BOM at the start of each decode, which is only ever line 1 in practice.
    text = decoder.decode(bytes.subarray(0, end));
  } catch {
    return { line, error: `line ${line} is not valid UTF-8` };
  }
  if (text.trim() === '') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { line, error: `line ${line} is not a JSON object` };
    return { line, value };
  } catch (err) {
    return { line, error: `line ${line}: ${(err as Error).message}` };
  }
}
