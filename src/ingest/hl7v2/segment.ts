import { Hl7v2Field, type FieldContext } from './field.js';
import { parseHl7Path, type Hl7Path } from './path.js';

/**
 * One segment over its raw line; fields are split on first access. For MSH the field separator
 * itself is MSH-1 and MSH-2 holds the encoding characters (HL7 v2.5.1 chapter 2.14.9), so MSH-n is
 * the (n-1)th piece after splitting, unlike every other segment.
 */
export class Hl7v2Segment {
  readonly name: string;
  #pieces: string[] | undefined;

  /** @param index Position in the message, 0-based (MSH is 0). */
  constructor(
    private readonly line: string,
    readonly index: number,
    private readonly ctx: FieldContext,
  ) {
    this.name = line.slice(0, 3);
  }

  raw(): string {
    return this.line;
  }

  toString(): string {
    return this.line;
  }

  /** Number of the last field present (trailing empty fields included as sent). */
  get fieldCount(): number {
    const n = this.pieces().length - 1;
    return this.name === 'MSH' ? n + 1 : n;
  }

  /** Field `n` (1-based); an empty field when absent. */
  field(n: number): Hl7v2Field {
    const isMsh = this.name === 'MSH';
    if (isMsh && n === 1) return new Hl7v2Field(this.ctx.encoding.field, this.ctx, true);
    const piece = this.pieces()[isMsh ? n - 1 : n];
    return new Hl7v2Field(n < 1 || piece === undefined ? '' : piece, this.ctx, isMsh && n === 2);
  }

  /** Unescaped value at `3`, `3.1`, `3[2].4.1` (or a full `PID-3.1`); '' when absent. */
  get(path: string): string {
    return this.at(parseHl7Path(path));
  }

  /** @internal reads a parsed path; the segment part of it is the caller's business. */
  at(p: Hl7Path): string {
    let field = this.field(p.field);
    if (p.repetition !== undefined) field = field.repetition(p.repetition);
    return p.component === undefined ? field.value() : field.component(p.component, p.subcomponent);
  }

  private pieces(): string[] {
    return (this.#pieces ??= this.line.split(this.ctx.encoding.field));
  }
}
