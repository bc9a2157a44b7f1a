import { isUtf8 } from 'node:buffer';
import { decodeWith, hl7CharsetToEncoding } from './charsets.js';

export interface DecodedHl7 {
  text: string;
  /** The iconv-lite encoding actually used (`utf8`, `iso-8859-1`, `windows-1252`, `utf16le`…). */
  charset: string;
  warnings: string[];
}

/** MSH-18 sits in the header, so a few kilobytes are enough to find it even after FHS/BHS lines. */
const PEEK_BYTES = 8192;

/**
 * Bytes → text, honouring MSH-18 before anything is split: a separator can never be a multi-byte
 * sequence in the charsets HL7 allows, but names can, so decoding must come first.
 * See: HL7 v2.5.1 chapter 2.15.9.18 (MSH-18) and notes/hl7v2.md §5 (nearly every library ignores it).
 */
export function decodeHl7Bytes(bytes: Buffer, fallbackCharset?: string): DecodedHl7 {
  const warnings: string[] = [];
  const bom = detectBom(bytes);
  if (bom && bom.encoding !== 'utf8') {
    return { text: decodeWith(bytes.subarray(bom.length), bom.encoding), charset: bom.encoding, warnings };
  }
  const body = bom ? bytes.subarray(bom.length) : bytes;
  const declared = peekMsh18(body);
  if (declared) {
    const encoding = hl7CharsetToEncoding(declared);
    if (!encoding) {
      warnings.push(`MSH-18 charset '${declared}' is not supported; decoded as UTF-8`);
      return { text: body.toString('utf8'), charset: 'utf8', warnings };
    }
    return decodeDeclared(body, encoding, declared, warnings);
  }
  const fallback = hl7CharsetToEncoding(fallbackCharset);
  if (fallback) return decodeDeclared(body, fallback, fallbackCharset ?? fallback, warnings);
  if (isUtf8(body)) return { text: body.toString('utf8'), charset: 'utf8', warnings };
  warnings.push('MSH-18 is empty and the bytes are not valid UTF-8; decoded as ISO-8859-1');
  return { text: body.toString('latin1'), charset: 'iso-8859-1', warnings };
}

function decodeDeclared(body: Buffer, encoding: string, declared: string, warnings: string[]): DecodedHl7 {
  // Senders declaring ASCII or UTF-8 while sending Windows code page bytes is the usual real-world
  // lie (dcm4che #747); decoding strictly would turn names into U+FFFD.
  if ((encoding === 'utf8' && !isUtf8(body)) || (encoding === 'ascii' && !isAscii(body))) {
    warnings.push(`bytes are not valid ${declared}; decoded as windows-1252`);
    return { text: decodeWith(body, 'windows-1252'), charset: 'windows-1252', warnings };
  }
  if (encoding === 'ascii') return { text: body.toString('latin1'), charset: 'ascii', warnings };
  return { text: decodeWith(body, encoding), charset: encoding, warnings };
}

function detectBom(bytes: Buffer): { encoding: string; length: number } | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf8', length: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf16le', length: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf16be', length: 2 };
  return undefined;
}

function isAscii(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

/** The first repetition of MSH-18 of the first MSH, read as latin1 (separators are ASCII). */
export function peekMsh18(bytes: Buffer): string | undefined {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, PEEK_BYTES));
  const start = findMsh(head);
  if (start < 0) return undefined;
  const sep = head.charAt(start + 3);
  const rep = head.charAt(start + 5);
  let end = head.slice(start).search(/[\r\n]/);
  end = end < 0 ? head.length : start + end;
  const fields = head.slice(start, end).split(sep);
  // fields[0] is 'MSH' and fields[1] is MSH-2, so MSH-n is fields[n - 1].
  const msh18 = fields[17] ?? '';
  const first = (rep ? msh18.split(rep)[0] : msh18) ?? '';
  return first.trim() || undefined;
}

function findMsh(head: string): number {
  if (head.startsWith('MSH')) return 0;
  const m = /[\r\n]MSH/.exec(head);
  return m ? m.index + 1 : -1;
}
