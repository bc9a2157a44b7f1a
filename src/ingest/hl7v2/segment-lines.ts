/** Any of CR, LF, CRLF (and LFCR from some Windows tools) ends a line. */
const LINE_BREAK = /\r\n|\n\r|\r|\n/;

export interface SegmentLines {
  /** Segment lines; a joined continuation keeps its break as `\r` inside the field. */
  lines: string[];
  issues: string[];
}

/**
 * Splits text into segment lines. The standard terminator is CR (HL7 v2.5.1 chapter 2.5.1), but
 * feeds arrive with LF, CRLF, mixed and trailing terminators, so all are accepted and blank lines
 * dropped. A "line" that does not start like a segment (`^[A-Z][A-Z0-9]{2}` + field separator) is a
 * value broken by a stray line break (base64 in OBX-5, dcm4che ORU_R01-PDF): it is joined back to
 * the previous segment rather than truncating the value (notes/hl7v2.md §5, Mirth #1275).
 */
export function toSegmentLines(text: string): SegmentLines {
  const issues: string[] = [];
  const lines: string[] = [];
  let sep = headerSeparator(text, 0);
  for (const raw of text.split(LINE_BREAK)) {
    if (raw.trim() === '') continue;
    const line = lines.length === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    const header = headerSeparator(line, 0);
    if (header) sep = header;
    if (header || looksLikeSegment(line, sep) || lines.length === 0) {
      lines.push(line);
      continue;
    }
    const last = lines.length - 1;
    const name = lines[last]!.slice(0, 3);
    issues.push(`line ${JSON.stringify(line.slice(0, 20))} is not a segment; joined to the preceding ${name} segment (${segmentCount(lines, name)})`);
    lines[last] = `${lines[last]}\r${line}`;
  }
  return { lines, issues };
}

/** True when a line starts a segment: three-character id then the field separator (or nothing). */
export function looksLikeSegment(line: string, sep: string | undefined): boolean {
  if (line.length < 3) return false;
  if (!isUpper(line.charCodeAt(0)) || !isUpperOrDigit(line.charCodeAt(1)) || !isUpperOrDigit(line.charCodeAt(2))) return false;
  if (line.length === 3) return true;
  return sep === undefined ? !isUpperOrDigit(line.charCodeAt(3)) : line.charAt(3) === sep;
}

/** MSH, FHS and BHS declare their own field separator at position 3. */
export function headerSeparator(line: string, at: number): string | undefined {
  const id = line.slice(at, at + 3);
  if (id !== 'MSH' && id !== 'FHS' && id !== 'BHS') return undefined;
  const c = line.charAt(at + 3);
  return c && !isUpperOrDigit(c.charCodeAt(0)) && c !== '\r' && c !== '\n' && c !== ' ' ? c : undefined;
}

function segmentCount(lines: string[], name: string): string {
  let n = 0;
  for (const l of lines) if (l.startsWith(name)) n++;
  return n > 1 ? `${name}[${n}]` : name;
}

function isUpper(c: number): boolean {
  return c >= 65 && c <= 90;
}

function isUpperOrDigit(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}
