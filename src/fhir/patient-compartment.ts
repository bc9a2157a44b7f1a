import type { Resource } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { COMPARTMENT_CODE } from './search-values.js';

export interface CompartmentOptions {
  /** Only these resource types (`_type`). */
  types?: readonly string[];
  /** Only versions updated at or after (`_since`). */
  since?: Date;
}

/**
 * Every current resource that references any of the patients, anywhere in its content
 * (https://hl7.org/fhir/R4/patient-operation-everything.html); the patients themselves are not included.
 */
export async function readPatientCompartment(db: Db, patientIds: readonly string[], opts: CompartmentOptions = {}): Promise<Resource[]> {
  if (!patientIds.length) return [];
  const refs = patientIds.map((id) => `Patient/${id}`);
  const rows = await sql<{ content: Resource }>`
    SELECT c.content FROM fhir_resource_current c
    JOIN (SELECT DISTINCT s.resource_type, s.id FROM fhir_search s WHERE s.code = ${COMPARTMENT_CODE} AND s.value IN (${sql.join(refs)})) m
      ON m.resource_type = c.resource_type AND m.id = c.id
    WHERE NOT c.deleted
      ${opts.types?.length ? sql`AND c.resource_type IN (${sql.join([...opts.types])})` : sql``}
      ${opts.since ? sql`AND c.last_updated >= ${opts.since}` : sql``}
    ORDER BY c.resource_type, c.id`.execute(db);
  return rows.rows.map((r) => r.content);
}

/** Is the resource inside the patient's compartment? (Patient-context SMART scopes.) */
export async function isInPatientCompartment(db: Db, type: string, id: string, patientId: string): Promise<boolean> {
  if (type === 'Patient') return id === patientId;
  const row = await db
    .selectFrom('fhir_search')
    .select('id')
    .where('resource_type', '=', type)
    .where('id', '=', id)
    .where('code', '=', COMPARTMENT_CODE)
    .where('value', '=', `Patient/${patientId}`)
    .executeTakeFirst();
  return !!row;
}
