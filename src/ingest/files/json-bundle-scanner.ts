/** One thing read from a FHIR JSON file, in file order. */
export type FhirJsonItem =
  /** A single resource that is not a Bundle (read whole, up to the document limit). */
  | { kind: 'resource'; value: Record<string, unknown> }
  /** A Bundle without `entry`: the members before `entry`, i.e. all but `signature` in FHIR order. */
  | { kind: 'bundle'; value: Record<string, unknown> }
  /** One `Bundle.entry` item; `error` when it is not a JSON object or is over the entry limit. */
  | { kind: 'entry'; index: number; value?: Record<string, unknown>; error?: string }
  /** Bundle members written after `entry` (usually `signature`), when there are any. */
  | { kind: 'bundle-trailer'; value: Record<string, unknown> }
  /** The file cannot be read on (bad JSON, truncated, over the limit); nothing follows. */
  | { kind: 'error'; error: string };

export interface JsonLimits {
  /** Characters of a non-Bundle resource, or of a Bundle without its entries. */
  maxDocumentChars: number;
  /** Characters of one Bundle entry. */
  maxEntryChars: number;
}

export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = Object.freeze({
  maxDocumentChars: 256 * 1024 * 1024,
  maxEntryChars: 64 * 1024 * 1024,
});

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const CLOSE_OBJ = 0x7d;
const OPEN_ARR = 0x5b;
const CLOSE_ARR = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;
/** Keys and the resourceType value are short; longer strings are never ones we look for. */
const CAPTURE_MAX = 32;

type Mode = 'head' | 'entries' | 'after';

/**
 * Cuts a FHIR JSON document into items without holding a whole Bundle: a small tokenizer tracks
 * string, escape and nesting state, and once `"resourceType": "Bundle"` has been seen, each
 * object of the top-level `entry` array is sliced out and parsed alone. Everything else is kept and
 * parsed with JSON.parse, so syntax is still checked by the real parser. A document whose
 * resourceType comes after `entry` is read whole (up to the limit), never misread.
 */
export class JsonBundleScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  private capture: string | undefined;
  private lastString: string | undefined;
  private key: string | undefined;
  private resourceType: string | undefined;
  private mode: Mode = 'head';
  private kept: string[] = [];
  private keptSize = 0;
  private entry: string[] | undefined;
  private entrySize = 0;
  private index = 0;
  private badElement = false;
  private failed = false;

  constructor(private readonly limits: JsonLimits = DEFAULT_JSON_LIMITS) {}

  push(text: string): FhirJsonItem[] {
    const out: FhirJsonItem[] = [];
    let seg = 0;
    for (let i = 0; i < text.length && !this.failed; i++) {
      const ch = text.charCodeAt(i);
      if (this.inString) {
        if (this.escape) this.escape = false;
        else if (ch === BACKSLASH) this.escape = true;
        else if (ch === QUOTE) this.endString();
        else if (this.capture !== undefined && this.capture.length <= CAPTURE_MAX) this.capture += text[i];
        continue;
      }
      if (this.mode === 'entries' && this.depth === 2 && !this.entry && !isBlank(ch) && ch !== COMMA && ch !== OPEN_OBJ && ch !== CLOSE_ARR) {
        this.badElement = true;
      }
      if (ch === QUOTE) {
        this.inString = true;
        this.capture = this.depth === 1 && this.mode === 'head' ? '' : undefined;
      } else if (ch === OPEN_OBJ || ch === OPEN_ARR) {
        if (this.mode === 'entries' && this.depth === 2 && ch === OPEN_OBJ) {
          seg = i;
          this.entry = [];
          this.entrySize = 0;
        }
        this.depth++;
        if (this.depth === 2 && ch === OPEN_ARR && this.mode === 'head' && this.key === 'entry' && this.resourceType === 'Bundle') {
          this.keep(out, text.slice(seg, i) + '[]');
          seg = i + 1;
          this.mode = 'entries';
          this.emitHeader(out);
        }
      } else if (ch === CLOSE_OBJ || ch === CLOSE_ARR) {
        this.depth--;
        if (this.depth < 0) this.fail(out, 'unexpected closing bracket');
        else if (this.mode === 'entries' && this.depth === 2 && this.entry) {
          this.addToEntry(text.slice(seg, i + 1));
          seg = i + 1;
          out.push(this.finishEntry());
        } else if (this.mode === 'entries' && this.depth === 1) {
          this.endElement(out);
          seg = i + 1;
          this.mode = 'after';
        }
      } else if (this.depth === 1 && ch === COLON) {
        this.key = this.lastString;
      } else if (this.depth === 1 && ch === COMMA) {
        this.key = undefined;
      } else if (this.mode === 'entries' && this.depth === 2 && ch === COMMA) {
        this.endElement(out);
      }
    }
    if (!this.failed) this.sink(out, text.slice(seg));
    return out;
  }

  end(): FhirJsonItem[] {
    const out: FhirJsonItem[] = [];
    if (this.failed) return out;
    if (this.inString || this.depth !== 0) return [{ kind: 'error', error: 'the JSON ends before it is complete (truncated file?)' }];
    const text = this.kept.join('');
    if (this.mode === 'head') return this.wholeDocument(text);
    if (this.mode === 'entries') return out;
    const rest = text.trim().replace(/^,/, '');
    const trailer = parseObject(`{${rest}`);
    if (typeof trailer === 'string') return [{ kind: 'error', error: `after Bundle.entry: ${trailer}` }];
    if (Object.keys(trailer).length > 0) out.push({ kind: 'bundle-trailer', value: trailer });
    return out;
  }

  private endString(): void {
    this.inString = false;
    if (this.capture === undefined) return;
    this.lastString = this.capture.length <= CAPTURE_MAX ? this.capture : undefined;
    if (this.key === 'resourceType') this.resourceType = this.lastString;
    this.capture = undefined;
  }

  /** Text between `seg` and the end of the chunk goes where the current state says. */
  private sink(out: FhirJsonItem[], text: string): void {
    if (this.mode !== 'entries') this.keep(out, text);
    else if (this.entry) this.addToEntry(text);
  }

  private keep(out: FhirJsonItem[], text: string): void {
    this.keptSize += text.length;
    if (this.keptSize > this.limits.maxDocumentChars) {
      this.fail(out, `the document (without Bundle entries) is larger than the limit of ${this.limits.maxDocumentChars} characters`);
    } else if (text) this.kept.push(text);
  }

  private addToEntry(text: string): void {
    this.entrySize += text.length;
    if (this.entrySize > this.limits.maxEntryChars) this.entry = [];
    else this.entry!.push(text);
  }

  private finishEntry(): FhirJsonItem {
    const index = this.index++;
    const size = this.entrySize;
    const text = this.entry!.join('');
    this.entry = undefined;
    if (size > this.limits.maxEntryChars) return { kind: 'entry', index, error: `Bundle.entry[${index}] is larger than the limit of ${this.limits.maxEntryChars} characters` };
    const value = parseObject(text);
    return typeof value === 'string' ? { kind: 'entry', index, error: `Bundle.entry[${index}]: ${value}` } : { kind: 'entry', index, value };
  }

  /** A non-object element of `entry` ends at `,` or `]`. */
  private endElement(out: FhirJsonItem[]): void {
    if (!this.badElement) return;
    this.badElement = false;
    const index = this.index++;
    out.push({ kind: 'entry', index, error: `Bundle.entry[${index}] is not a JSON object` });
  }

  private emitHeader(out: FhirJsonItem[]): void {
    const value = parseObject(`${this.kept.join('')}}`);
    if (typeof value === 'string') return this.fail(out, value);
    delete value.entry;
    out.push({ kind: 'bundle', value });
    this.kept = [];
    this.keptSize = 0;
  }

  private wholeDocument(text: string): FhirJsonItem[] {
    if (text.trim() === '') return [{ kind: 'error', error: 'the file is empty' }];
    const value = parseObject(text);
    if (typeof value === 'string') return [{ kind: 'error', error: value }];
    if (typeof value.resourceType !== 'string') return [{ kind: 'error', error: 'the JSON object has no "resourceType"' }];
    if (value.resourceType !== 'Bundle' || !Array.isArray(value.entry)) return [{ kind: 'resource', value }];
    const { entry, ...bundle } = value as { entry: unknown[] };
    return [
      { kind: 'bundle', value: bundle },
      ...entry.map((e, index): FhirJsonItem => {
        if (typeof e === 'object' && e !== null && !Array.isArray(e)) return { kind: 'entry', index, value: e as Record<string, unknown> };
        return { kind: 'entry', index, error: `Bundle.entry[${index}] is not a JSON object` };
      }),
    ];
  }

  private fail(out: FhirJsonItem[], error: string): void {
    this.failed = true;
    this.kept = [];
    this.entry = undefined;
    out.push({ kind: 'error', error });
  }
}

/** JSON.parse that must give an object; returns the error text otherwise. */
function parseObject(text: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return 'not a JSON object';
  } catch (err) {
    return (err as Error).message;
  }
}

function isBlank(ch: number): boolean {
  return ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09;
}
