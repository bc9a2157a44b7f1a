import { decodeWith, hl7CharsetToEncoding } from './charsets.js';
import type { EncodingCharacters } from './encoding-characters.js';

/** `.sp n` may not conjure megabytes of newlines out of a few bytes. */
const MAX_SPACING = 100;

/**
 * Decodes HL7 escape sequences (HL7 v2.5.1 chapter 2.7, v2.7 chapter 2.7 for `\P\`):
 * separators `\F\ \S\ \T\ \R\ \E\ \P\`; `\Xhh…\` as bytes in the message charset (`\XC7\` is Ç in
 * 8859/1; NUL bytes from 4-digit forms such as `\X000d\` are dropped; bytes that are invalid UTF-8
 * fall back to one character per byte); formatting `\.br\` and `\.sp n\` become newlines, the other
 * formatting commands and `\H\ \N\ \Cxxyy\ \Mxxyyzz\ \Zxx\` are dropped. Anything else, including an
 * unterminated escape, stays literal. `charset` is an HL7 or iconv-lite name; default UTF-8.
 */
export function unescapeHl7(value: string, enc: EncodingCharacters, charset?: string): string {
  const esc = enc.escape;
  let i = value.indexOf(esc);
  if (i < 0) return value;
  let out = '';
  let pos = 0;
  while (i >= 0) {
    const end = value.indexOf(esc, i + 1);
    if (end < 0) break;
    const decoded = decodeSequence(value.slice(i + 1, end), enc, charset);
    if (decoded === undefined) {
      out += value.slice(pos, i + 1);
      pos = i + 1;
      i = end;
      continue;
    }
    out += value.slice(pos, i) + decoded;
    pos = end + 1;
    i = value.indexOf(esc, pos);
  }
  return out + value.slice(pos);
}

function decodeSequence(seq: string, enc: EncodingCharacters, charset: string | undefined): string | undefined {
  switch (seq) {
    case 'F': return enc.field;
    case 'S': return enc.component;
    case 'T': return enc.subcomponent;
    case 'R': return enc.repetition;
    case 'E': return enc.escape;
    case 'P': return enc.truncation ?? '#';
    case 'H':
    case 'N':
    case '.br': return seq === '.br' ? '\n' : '';
    default: break;
  }
  const head = seq.charAt(0);
  if (head === 'X') return decodeHex(seq.slice(1), charset);
  if (head === 'C' && /^C[0-9A-Fa-f]{4}$/.test(seq)) return '';
  if (head === 'M' && /^M[0-9A-Fa-f]{4}([0-9A-Fa-f]{2})?$/.test(seq)) return '';
  if (head === 'Z' && seq.length > 1) return '';
  if (head === '.') return formatting(seq);
  return undefined;
}

/** Formatted text (FT) commands, HL7 v2.5.1 chapter 2.7.6. */
function formatting(seq: string): string | undefined {
  const m = /^\.(sp|in|ti|sk|ce|fi|nf)\s*([+-]?\d*)$/.exec(seq);
  if (!m) return undefined;
  if (m[1] !== 'sp') return '';
  const n = m[2] ? Math.min(Math.max(Number(m[2]), 1), MAX_SPACING) : 1;
  return '\n'.repeat(n);
}

function decodeHex(hex: string, charset: string | undefined): string | undefined {
  if (hex.length < 2 || hex.length % 2 !== 0 || !/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const bytes = Buffer.from(hex, 'hex').filter((b) => b !== 0);
  const encoding = hl7CharsetToEncoding(charset) ?? 'utf8';
  const text = decodeWith(Buffer.from(bytes), encoding);
  return encoding === 'utf8' && text.includes('\uFFFD') ? Buffer.from(bytes).toString('latin1') : text;
}

/**
 * Escapes a value for output: separators and the escape character become `\F\ \S\ \T\ \R\ \E\`
 * (and `\P\` when MSH-2 declares a truncation character); CR and LF become `\X0D\` / `\X0A\`, which
 * every data type accepts (`\.br\` is only defined for FT).
 */
export function escapeHl7(value: string, enc: EncodingCharacters): string {
  if (!needsEscape(value, enc)) return value;
  const map = new Map<string, string>([
    [enc.escape, 'E'],
    [enc.field, 'F'],
    [enc.component, 'S'],
    [enc.subcomponent, 'T'],
    [enc.repetition, 'R'],
    ['\r', 'X0D'],
    ['\n', 'X0A'],
  ]);
  if (enc.truncation) map.set(enc.truncation, 'P');
  let out = '';
  let pos = 0;
  for (let i = 0; i < value.length; i++) {
    const code = map.get(value.charAt(i));
    if (code === undefined) continue;
    out += `${value.slice(pos, i)}${enc.escape}${code}${enc.escape}`;
    pos = i + 1;
  }
  return pos === 0 ? value : out + value.slice(pos);
}

function needsEscape(value: string, enc: EncodingCharacters): boolean {
  for (const c of [enc.escape, enc.field, enc.component, enc.subcomponent, enc.repetition, '\r', '\n', enc.truncation]) {
    if (c && value.includes(c)) return true;
  }
  return false;
}
