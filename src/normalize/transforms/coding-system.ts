import type { Vocabulary } from '../mapping-schema.js';

/**
 * HL7 table 0396 coding-system name (CWE.3) → FHIR system URI via the CodingSystem vocabulary;
 * `HL7nnnn` → the THO v2 table URI (https://terminology.hl7.org/codesystems-v2.html). Unknown local
 * names give no system: a guessed URI would be worse than none.
 */
export function codingSystemUri(name: string, vocabularies: ReadonlyMap<string, Vocabulary>): string | undefined {
  if (!name) return undefined;
  const known = vocabularies.get('CodingSystem')?.codes[name.toUpperCase()];
  if (known) return known.system;
  const table = /^HL7(\d{4})$/i.exec(name);
  if (table) return `http://terminology.hl7.org/CodeSystem/v2-${table[1]}`;
  if (/^(?:urn:|https?:\/\/)/.test(name)) return name;
  return undefined;
}
