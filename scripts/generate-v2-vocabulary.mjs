#!/usr/bin/env node
/**
 * Generates mappings/hl7v2/vocabulary/*.json from the HL7 v2-to-FHIR IG code-system CSVs
 * (../shared/corpora/v2-to-fhir-mappings/codesystems, HL7/v2-to-fhir @8c9b414b). The CSVs are
 * read, never copied; the JSON output is committed and reviewed like code.
 * Usage: node scripts/generate-v2-vocabulary.mjs [csvDir] [outDir]
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const csvDir = process.argv[2] ?? path.resolve(root, '../shared/corpora/v2-to-fhir-mappings/codesystems');
const outDir = process.argv[3] ?? path.join(root, 'mappings/hl7v2/vocabulary');

/** IG sheet name → our vocabulary name. */
const SHEETS = {
  AdministrativeSex: 'AdministrativeSex',
  'PatientClass[EncounterClass]': 'PatientClass',
  ObservationResultStatusCodesInterpretation: 'ObservationResultStatus',
  'ResultStatus[Non-Queries]': 'ResultStatus',
  InterpretationCodes: 'AbnormalFlags',
  'Event[EncounterStatus]': 'EventEncounterStatus',
  IdentifierType: 'IdentifierType',
  NameType: 'NameType',
  TelecommunicationUseCode: 'TelecommunicationUse',
  TelecommunicationEquipmentType: 'TelecommunicationEquipment',
  'AddressType[Use]': 'AddressUse',
  'AllergenType[AllergyIntoleranceCategory]': 'AllergenCategory',
  'AllergySeverity[AllergyIntolerance.criticality]': 'AllergySeverity',
  MaritalStatus: 'MaritalStatus',
  Relationship: 'Relationship',
  DiagnosisType: 'DiagnosisType',
  DiagnosticServiceSectionID: 'DiagnosticServiceSection',
};

/** RFC 4180 with quoted newlines and doubled quotes (the IG sheets have both). */
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(cell); cell = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell); rows.push(row); row = []; cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

mkdirSync(outDir, { recursive: true });
for (const [sheet, name] of Object.entries(SHEETS)) {
  const file = `HL7 Concept Map_ ${sheet} - Sheet1.csv`;
  const rows = parseCsv(readFileSync(path.join(csvDir, file), 'utf8')).slice(2);
  const codes = {};
  let table;
  for (const r of rows) {
    const [v2, , v2Table, , , , fhirCode, col7, display, system] = r.map((c) => c.trim());
    if (!v2 || !fhirCode || !system || !/^https?:|^urn:/.test(system)) continue;
    table ??= v2Table;
    if (codes[v2]) continue;
    // A few sheets put the display one column early (PatientClass: "EMER,emergency,,").
    codes[v2] = { code: fhirCode, system, ...(display || col7 ? { display: display || col7 } : {}) };
  }
  const out = { name, v2Table: table ?? '', source: `HL7 v2-to-FHIR IG ConceptMap "${sheet}" (HL7/v2-to-fhir@8c9b414b)`, codes };
  writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(out, null, 2)}\n`);
  console.log(`${name}: ${Object.keys(codes).length} codes`);
}
