import type { Request, RequestHandler, Response } from 'express';
import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../../db/database.js';
import { isInPatientCompartment } from '../../fhir/patient-compartment.js';
import { history, readResource, readVersion } from '../../fhir/resource.repository.js';
import { isServedType } from '../../fhir/search-parameters.js';
import { httpError } from '../outcome-middleware.js';
import { fhirBase, requireAccess, type Access } from './fhir-access.js';
import { historyBundle } from './search-bundle.js';

export interface ReadDeps {
  db: Db;
  baseUrl?: string;
}

/** `GET [type]/[id]` (https://hl7.org/fhir/R4/http.html#read) with `ETag` and `Last-Modified`. */
export function readHandler(deps: ReadDeps): RequestHandler {
  return async (req, res) => {
    const { type, id } = params(req);
    const access = requireAccess(res, type, 'r');
    await confine(deps.db, access, type, id);
    sendResource(res, await readResource(deps.db, type, id));
  };
}

/** `GET [type]/[id]/_history/[vid]` (vread). */
export function vreadHandler(deps: ReadDeps): RequestHandler {
  return async (req, res) => {
    const { type, id } = params(req);
    const access = requireAccess(res, type, 'r');
    await confine(deps.db, access, type, id);
    sendResource(res, await readVersion(deps.db, type, id, String(req.params.vid)));
  };
}

/** `GET [type]/[id]/_history`. */
export function historyHandler(deps: ReadDeps): RequestHandler {
  return async (req, res) => {
    const { type, id } = params(req);
    const access = requireAccess(res, type, 'r');
    await confine(deps.db, access, type, id);
    res.type('application/fhir+json').json(historyBundle(fhirBase(req, deps.baseUrl), type, id, await history(deps.db, type, id)));
  };
}

export function sendResource(res: Response, resource: Resource, status = 200): void {
  if (resource.meta?.versionId) res.set('ETag', `W/"${resource.meta.versionId}"`);
  if (resource.meta?.lastUpdated) res.set('Last-Modified', new Date(resource.meta.lastUpdated).toUTCString());
  res.status(status).type('application/fhir+json').json(resource);
}

/** The type from the path, 404 when Sinew does not serve it. */
export function servedType(req: Request): string {
  const type = String(req.params.type);
  if (!isServedType(type)) throw httpError('not-found', `resource type "${type}" is not supported here`);
  return type;
}

function params(req: Request): { type: string; id: string } {
  return { type: servedType(req), id: String(req.params.id) };
}

/** A patient-context token sees only its patient's compartment; anything else is 404, not a hint that it exists. */
async function confine(db: Db, access: Access, type: string, id: string): Promise<void> {
  if (!access.compartment) return;
  const patientId = access.compartment.slice('Patient/'.length);
  if (!(await isInPatientCompartment(db, type, id, patientId))) throw httpError('not-found', `${type}/${id} is not known`);
}
