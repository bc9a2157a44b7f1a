import { readFileSync } from 'node:fs';
import type { Patient } from '@medplum/fhirtypes';
import { parseCsv } from './csv.js';
import type { LabelledPatient } from './labelled.js';

const BIRTH_PLACE_URL = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';
const GENDERS: Record<string, Patient['gender']> = { male: 'male', female: 'female' };

/**
 * Read historical_figures_with_errors_50k.csv (see datasets/historical_50k/README.md) as source
 * Patients. `cluster` is the truth; `unique_id` embeds it, so the Patient id is `<prefix>-<row>`.
 * Occupation has no Patient element and is left out; birth place uses the core extension.
 */
export function readHistorical(file: string, prefix = 'hist'): LabelledPatient[] {
  return parseCsv(readFileSync(file, 'utf8')).map((row, i) => {
    if (!row.cluster) throw new Error(`${file}: row ${i + 2}: empty cluster`);
    const patient: Patient = { resourceType: 'Patient', id: `${prefix}-${i}` };
    if (row.first_name || row.surname) {
      patient.name = [
        {
          use: 'official',
          ...(row.full_name ? { text: row.full_name } : {}),
          ...(row.surname ? { family: row.surname } : {}),
          ...(row.first_name ? { given: [row.first_name] } : {}),
        },
      ];
    }
    // Negative and BCE years exist in the source; FHIR dates cannot carry them.
    if (row.dob && /^\d{4}-\d{2}-\d{2}$/.test(row.dob)) patient.birthDate = row.dob;
    const gender = row.gender ? GENDERS[row.gender] : undefined;
    if (gender) patient.gender = gender;
    if (row.postcode_fake) patient.address = [{ postalCode: row.postcode_fake }];
    if (row.birth_place) patient.extension = [{ url: BIRTH_PLACE_URL, valueAddress: { city: row.birth_place } }];
    return { patient, truth: row.cluster };
  });
}
