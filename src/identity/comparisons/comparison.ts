import type { Person } from '../person.js';

/** Level index returned when either side lacks the field: contributes no evidence (weight 0). */
export const NULL_LEVEL = -1;

/**
 * One comparison of a Fellegi–Sunter model: ordered levels, strongest first, the last one "else".
 * `compare` returns the index of the first level both records satisfy, or NULL_LEVEL.
 */
export interface Comparison {
  readonly name: string;
  readonly levels: readonly string[];
  compare(a: Person, b: Person): number;
  /** Value whose frequency replaces u at a term-frequency-adjusted level (Splink style). */
  term?(p: Person): string | undefined;
  /** Human-readable value of one side, for the waterfall explanation. */
  show(p: Person): string | undefined;
}
