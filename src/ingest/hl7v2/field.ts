import type { EncodingCharacters } from './encoding-characters.js';
import { unescapeHl7 } from './escapes.js';

/** What a field needs from its message to split and unescape itself. */
export interface FieldContext {
  readonly encoding: EncodingCharacters;
  readonly charset: string;
}

/**
 * One field (or one repetition of it), split and unescaped only when read: on the ingest path most
 * fields of most segments are never looked at. Indices are 1-based like HL7 notation:
 * `field.component(4, 1)` is `.4.1`. A non-repeating read of a repeated field sees repetition 1.
 */
export class Hl7v2Field {
  #repetitions: Hl7v2Field[] | undefined;
  #components: string[] | undefined;

  /** @param literal MSH-1 and MSH-2 hold the separators themselves and are never split or unescaped. */
  constructor(
    private readonly text: string,
    private readonly ctx: FieldContext,
    private readonly literal = false,
    private readonly single = false,
  ) {}

  /** The field exactly as sent, all repetitions, escapes intact. */
  raw(): string {
    return this.text;
  }

  toString(): string {
    return this.text;
  }

  /** Empty when nothing was sent; `""` (HL7 explicit null, chapter 2.5.3) is not empty: see isNull(). */
  isEmpty(): boolean {
    return this.text === '';
  }

  /** `""`: the sender asks the receiver to delete the stored value. */
  isNull(): boolean {
    return this.text === '""';
  }

  get repetitions(): Hl7v2Field[] {
    if (this.#repetitions) return this.#repetitions;
    const rep = this.ctx.encoding.repetition;
    this.#repetitions =
      this.literal || this.single || !this.text.includes(rep)
        ? [this.single ? this : new Hl7v2Field(this.text, this.ctx, this.literal, true)]
        : this.text.split(rep).map((r) => new Hl7v2Field(r, this.ctx, false, true));
    return this.#repetitions;
  }

  /** Repetition `r` (1-based); an empty field when absent. */
  repetition(r: number): Hl7v2Field {
    return this.repetitions[r - 1] ?? new Hl7v2Field('', this.ctx, false, true);
  }

  /** Unescaped component `c` (and subcomponent `sub`) of the first repetition; '' when absent. */
  component(c: number, sub?: number): string {
    const first = this.single ? this : this.repetition(1);
    if (first.literal) return c === 1 && (sub === undefined || sub === 1) ? first.text : '';
    const comps = (first.#components ??= first.text.split(this.ctx.encoding.component));
    let value = comps[c - 1] ?? '';
    if (sub !== undefined) value = value.split(this.ctx.encoding.subcomponent)[sub - 1] ?? '';
    return unescapeHl7(value, this.ctx.encoding, this.ctx.charset);
  }

  /** The whole first repetition, unescaped (component separators kept as sent). */
  value(): string {
    const first = this.single ? this : this.repetition(1);
    return first.literal ? first.text : unescapeHl7(first.text, this.ctx.encoding, this.ctx.charset);
  }

  /** Number of components in the first repetition. */
  get componentCount(): number {
    const first = this.single ? this : this.repetition(1);
    return first.literal || first.text === '' ? (first.text === '' ? 0 : 1) : (first.#components ??= first.text.split(this.ctx.encoding.component)).length;
  }
}
