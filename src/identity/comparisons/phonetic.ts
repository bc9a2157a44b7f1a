import doubleMetaphone from 'talisman/phonetics/double-metaphone.js';
import jaroWinkler from 'talisman/metrics/jaro-winkler.js';

/** Primary double-metaphone code of a name with spaces removed ("VAN DYKE" sounds like "VANDYKE"). */
export function phoneticKey(name: string): string {
  const compact = name.replace(/ /g, '');
  return compact ? doubleMetaphone(compact)[0] : '';
}

/** Jaro–Winkler similarity on space-free strings, 0..1. */
export function similarity(a: string, b: string): number {
  return jaroWinkler(a.replace(/ /g, ''), b.replace(/ /g, ''));
}
