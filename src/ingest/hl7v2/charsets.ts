import iconv from 'iconv-lite';

/**
 * HL7 table 0211 (MSH-18 character set) and the aliases senders really use, keyed by a normalised
 * name (upper case, no spaces, `_` or `-`), mapped to iconv-lite encoding names.
 * See: HL7 v2.5.1 chapter 2.15.9.18 and chapter 2.A (table 0211).
 */
const HL7_CHARSETS: Readonly<Record<string, string>> = Object.freeze({
  ASCII: 'ascii',
  ISOIR6: 'ascii',
  USASCII: 'ascii',
  '8859/1': 'iso-8859-1',
  '8859/2': 'iso-8859-2',
  '8859/3': 'iso-8859-3',
  '8859/4': 'iso-8859-4',
  '8859/5': 'iso-8859-5',
  '8859/6': 'iso-8859-6',
  '8859/7': 'iso-8859-7',
  '8859/8': 'iso-8859-8',
  '8859/9': 'iso-8859-9',
  '8859/15': 'iso-8859-15',
  ISOIR100: 'iso-8859-1',
  ISOIR101: 'iso-8859-2',
  ISOIR109: 'iso-8859-3',
  ISOIR110: 'iso-8859-4',
  ISOIR144: 'iso-8859-5',
  ISOIR127: 'iso-8859-6',
  ISOIR126: 'iso-8859-7',
  ISOIR138: 'iso-8859-8',
  ISOIR148: 'iso-8859-9',
  ISOIR192: 'utf8',
  ISO88591: 'iso-8859-1',
  LATIN1: 'iso-8859-1',
  UTF8: 'utf8',
  UNICODEUTF8: 'utf8',
  UNICODEUTF16: 'utf16',
  UNICODEUTF32: 'utf32',
  // Plain "UNICODE" (UCS-2, deprecated since v2.5) almost always arrives as UTF-8 in practice;
  // decode.ts switches to UTF-16 only when a UTF-16 BOM says so.
  UNICODE: 'utf8',
  WINDOWS1252: 'windows-1252',
  CP1252: 'windows-1252',
  GB180302000: 'gb18030',
  KSX1001: 'euc-kr',
  BIG5: 'big5',
  ISOIR87: 'euc-jp',
  ISOIR159: 'euc-jp',
});

function normalise(name: string): string {
  return name.trim().toUpperCase().replace(/[\s_-]+/g, '');
}

/**
 * The iconv-lite encoding for an HL7 charset name (`8859/1`, `UNICODE UTF-8`, `ISO_IR 100`…) or an
 * encoding name iconv-lite already knows (`latin1`, `utf8`): stored rows carry either form.
 */
export function hl7CharsetToEncoding(name: string | undefined): string | undefined {
  if (!name || !name.trim()) return undefined;
  const known = HL7_CHARSETS[normalise(name)];
  if (known) return known;
  return iconv.encodingExists(name.trim()) ? name.trim().toLowerCase() : undefined;
}

/** Decode bytes in an encoding hl7CharsetToEncoding returned. */
export function decodeWith(bytes: Buffer, encoding: string): string {
  if (encoding === 'utf8') return bytes.toString('utf8');
  if (encoding === 'iso-8859-1') return bytes.toString('latin1');
  return iconv.decode(bytes, encoding);
}
