import type { RequestHandler } from 'express';
import type { Bundle } from '@medplum/fhirtypes';
import type { Db } from '../../db/database.js';
import { readPatientCompartment } from '../../fhir/patient-compartment.js';
import { readResource } from '../../fhir/resource.repository.js';
import { dateRange } from '../../fhir/date-range.js';
import { httpError } from '../outcome-middleware.js';
import { fhirBase, mayAccess, requireAccess } from './fhir-access.js';
import { entryOf } from './search-bundle.js';

export interface EverythingDeps {
  db: Db;
  baseUrl?: string;
  /** Every source record linked to the same person (the identity layer); default just the id. */
  resolvePatientIds?: (id: string) => Promise<string[]>;
}

/** Canonical of the standard operation (https://hl7.org/fhir/R4/patient-operation-everything.html). */
export const EVERYTHING_DEFINITION = 'http://hl7.org/fhir/OperationDefinition/Patient-everything';

/**
 * `GET Patient/[id]/$everything`: the patient (and linked records) and every resource that refers to
 * them, as a searchset; `_type` and `_since` narrow it. Types the token may not read are left out.
 */
export function everythingHandler(deps: EverythingDeps): RequestHandler {
  return async (req, res) => {
    const id = String(req.params.id);
    const access = requireAccess(res, 'Patient', 'r');
    if (access.compartment && access.compartment !== `Patient/${id}`) throw httpError('not-found', `Patient/${id} is not known`);
    const patient = await readResource(deps.db, 'Patient', id);
    const ids = [...new Set([id, ...((await deps.resolvePatientIds?.(id)) ?? [])])];
    const others = ids.length > 1 ? await Promise.all(ids.filter((x) => x !== id).map((x) => readResource(deps.db, 'Patient', x).catch(() => undefined))) : [];
    const types = typeof req.query._type === 'string' ? req.query._type.split(',').filter(Boolean) : undefined;
    const sinceText = typeof req.query._since === 'string' ? req.query._since : undefined;
    const since = sinceText !== undefined ? dateRange(sinceText)?.start : undefined;
    if (sinceText !== undefined && !since) throw httpError('invalid', `_since "${sinceText}" is not a FHIR instant`, '_since');
    const related = await readPatientCompartment(deps.db, ids, { ...(types ? { types } : {}), ...(since ? { since } : {}) });
    const base = fhirBase(req, deps.baseUrl);
    const resources = [patient, ...others.filter((p) => !!p), ...related].filter((r) => (!types || types.includes(r.resourceType)) && mayAccess(res, r.resourceType, 'r'));
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: resources.length,
      link: [{ relation: 'self', url: `${base}${req.originalUrl.slice(req.baseUrl.length)}` }],
      entry: resources.map((r) => entryOf(base, r, 'match')),
    };
    res.type('application/fhir+json').json(bundle);
  };
}
