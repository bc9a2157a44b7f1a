import { readFileSync } from 'node:fs';
import type { Address, Patient } from '@medplum/fhirtypes';
import { parseCsv } from './csv.js';
import type { LabelledPatient } from './labelled.js';

/** Identifier system for FEBRL's soc_sec_id column (synthetic, Australian-style). */
export const FEBRL_SSN_SYSTEM = 'urn:sinew:febrl:soc-sec-id';

/** FEBRL dates are YYYYMMDD and sometimes corrupted; only real calendar dates become birthDate. */
function febrlDate(v: string | null): string | undefined {
  const m = v?.match(/^(\d{4})(\d{2})(\d{2})$/);
  if (!m) return undefined;
  const iso = `${m[1]}-${m[2]}-${m[3]}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(iso) ? iso : undefined;
}

/**
 * Read a FEBRL CSV (see datasets/febrl/README.md) as source Patients. The truth is the entity
 * number of `rec-<n>-org` / `rec-<n>-dup-<k>`; the Patient id is neutral (`<prefix>-<row>`).
 */
export function readFebrl(file: string, prefix: string): LabelledPatient[] {
  return parseCsv(readFileSync(file, 'utf8'), { trim: true }).map((row, i) => {
    const truth = row.rec_id?.match(/^rec-(\d+)-/)?.[1];
    if (!truth) throw new Error(`${file}: row ${i + 2}: rec_id "${row.rec_id}" is not rec-<n>-org|dup-<k>`);
    const patient: Patient = { resourceType: 'Patient', id: `${prefix}-${i}` };
    const given = row.given_name ?? undefined;
    const family = row.surname ?? undefined;
    if (given || family) patient.name = [{ use: 'official', ...(family ? { family } : {}), ...(given ? { given: [given] } : {}) }];
    const birthDate = febrlDate(row.date_of_birth);
    if (birthDate) patient.birthDate = birthDate;
    const street = [row.street_number, row.address_1].filter(Boolean).join(' ');
    const line = [street, row.address_2].filter((x): x is string => Boolean(x));
    const address: Address = {
      ...(line.length ? { line } : {}),
      ...(row.suburb ? { city: row.suburb } : {}),
      ...(row.postcode ? { postalCode: row.postcode } : {}),
      ...(row.state ? { state: row.state } : {}),
    };
    if (Object.keys(address).length) patient.address = [address];
    if (row.soc_sec_id) patient.identifier = [{ system: FEBRL_SSN_SYSTEM, value: row.soc_sec_id }];
    return { patient, truth };
  });
}
