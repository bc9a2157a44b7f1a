import { open } from 'node:fs/promises';
import { OperationOutcomeError, badRequest } from '../../fhir/outcomes.js';

export const FILE_KINDS = ['hl7v2', 'fhir-json', 'ndjson'] as const;
export type FileKind = (typeof FILE_KINDS)[number];
export type FileKindResult = { kind: FileKind } | { kind: 'unknown'; reason: string };

/** How much of a file detection reads: enough for a long first NDJSON line in most exports. */
export const HEAD_BYTES = 64 * 1024;

const HL7_HEADER = /^(MSH|FHS|BHS)[^A-Z0-9\r\n ]/;
const HL7_LINE = /(^|[\r\n])(MSH|FHS|BHS)[^A-Z0-9\r\n ]/;

/**
 * The kind of a file from its first bytes. `wholeFile` says whether `head` is the entire file,
 * which decides between one FHIR resource written on one line and NDJSON.
 * - HL7v2: starts with MSH/FHS/BHS + separator or an MLLP 0x0B, or has such a line in the head
 *   after some leading text (the reader then reports that text as skipped).
 * - NDJSON: the first line is a complete JSON object and more content follows it
 *   (https://hl7.org/fhir/R4/ndjson.html; Bulk Data exports).
 * - FHIR JSON: starts with `{` and mentions "resourceType" (a resource or a Bundle, possibly
 *   pretty-printed over many lines).
 */
export function detectFileKind(head: Buffer, wholeFile: boolean): FileKindResult {
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    return { kind: 'unknown', reason: 'UTF-16 text is not supported; convert the file to UTF-8' };
  }
  const bom = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  // latin1 maps bytes 1:1, so a multi-byte character cut at the end of the head cannot throw.
  const text = head.toString('latin1', bom).replace(/^[\s\x0b]*/, (ws) => (ws.includes('\x0b') ? '\x0b' : ''));
  if (text === '') return { kind: 'unknown', reason: 'the file is empty' };
  if (text.startsWith('\x0b') || HL7_HEADER.test(text)) return { kind: 'hl7v2' };
  if (text.startsWith('{')) return jsonKind(head.toString('utf8', bom).trimStart(), wholeFile);
  if (text.startsWith('[')) return { kind: 'unknown', reason: 'a JSON array is neither a FHIR resource nor NDJSON' };
  if (HL7_LINE.test(text)) return { kind: 'hl7v2' };
  return { kind: 'unknown', reason: 'it is not HL7v2 (MSH, FHS, BHS or MLLP-framed), FHIR JSON or NDJSON' };
}

function jsonKind(text: string, wholeFile: boolean): FileKindResult {
  const eol = text.indexOf('\n');
  if (eol >= 0 && isJsonObject(text.slice(0, eol))) {
    const more = text.slice(eol + 1).trim() !== '';
    if (more || !wholeFile) return { kind: 'ndjson' };
  }
  if (text.includes('"resourceType"')) return { kind: 'fhir-json' };
  return { kind: 'unknown', reason: 'it is JSON but not a FHIR resource (no "resourceType")' };
}

function isJsonObject(line: string): boolean {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}

/** Reads the head of `file` and detects its kind; an unknown kind is an error naming the file. */
export async function detectFileKindOfPath(file: string): Promise<FileKind> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const result = detectFileKind(head.subarray(0, bytesRead), bytesRead >= size);
    if (result.kind === 'unknown') throw new OperationOutcomeError(badRequest(`${file}: cannot import: ${result.reason}`));
    return result.kind;
  } finally {
    await handle.close();
  }
}
