// talisman 1.1.4 is CommonJS without types; only the three entry points Sinew uses are declared.
declare module 'talisman/metrics/jaro-winkler.js' {
  const jaroWinkler: (a: string, b: string) => number;
  export default jaroWinkler;
}
declare module 'talisman/phonetics/double-metaphone.js' {
  const doubleMetaphone: (word: string) => [string, string];
  export default doubleMetaphone;
}
declare module 'talisman/phonetics/nysiis.js' {
  const nysiis: { original: (word: string) => string; refined: (word: string) => string };
  export default nysiis;
}
declare module 'talisman/metrics/damerau-levenshtein.js' {
  const damerauLevenshtein: (a: string, b: string) => number;
  export default damerauLevenshtein;
}
