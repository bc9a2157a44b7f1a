/**
 * Whether a unit sent without a coding system (OBX-6.3 empty) can be written as a UCUM code.
 * Senders often send UCUM without saying so ('mg/dL', '10*3/uL'), but they also send 'grams',
 * 'µmol/L' or 'tera.l-1'. Claiming UCUM for those would be wrong, so they keep only the unit text.
 * The check is conservative: common metric prefixes on the base and lab atoms, bracketed special
 * units, annotations, powers of ten and integer exponents, joined by '.' and '/'.
 * See: https://ucum.org/ucum (§2 syntax).
 */
const ATOM = "(?:[YZEPTGMkhdcmunpfazy]|da)?(?:g|L|l|mol|eq|U|m|s|min|h|d|wk|mo|a|Cel|K|Pa|bar|Hz|J|W|V|A|osm|kat|t)";
const TERM = `(?:${ATOM}|\\[[A-Za-z0-9_.'%*+-]+\\]|mm\\[Hg\\]|%|10[*^][+-]?\\d+|\\d+|\\{[^{}]*\\})(?:[+-]?\\d+)?(?:\\{[^{}]*\\})?`;
const UCUM = new RegExp(`^/?${TERM}(?:[./]${TERM})*$`);

export function looksLikeUcum(unit: string): boolean {
  return unit !== '' && UCUM.test(unit);
}
