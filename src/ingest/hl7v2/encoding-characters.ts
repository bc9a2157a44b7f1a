/** MSH-1 and MSH-2: the separators and escape character a message declares for itself. */
export interface EncodingCharacters {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
  /** MSH-2 position 5, v2.7+ (`#`); absent in 4-character MSH-2. */
  truncation?: string;
}

export const DEFAULT_ENCODING: Readonly<EncodingCharacters> = Object.freeze({
  field: '|',
  component: '^',
  repetition: '~',
  escape: '\\',
  subcomponent: '&',
});
