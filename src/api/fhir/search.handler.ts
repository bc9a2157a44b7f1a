import { parseSearchRequest } from '@medplum/core';
import type { RequestHandler } from 'express';
import type { Db } from '../../db/database.js';
import { searchResources } from '../../fhir/resource-search.js';
import { fhirBase, isLenient, requireAccess } from './fhir-access.js';
import { servedType } from './read.handler.js';
import { searchsetBundle } from './search-bundle.js';

export interface SearchDeps {
  db: Db;
  baseUrl?: string;
}

/** `GET [type]?…` (https://hl7.org/fhir/R4/search.html): a searchset with `total`, `self` and `next`. */
export function searchHandler(deps: SearchDeps): RequestHandler {
  return async (req, res) => {
    const type = servedType(req);
    const access = requireAccess(res, type, 's');
    const query = req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '';
    // medplum parses prefixes and modifiers by each parameter's type; a malformed date is its 400.
    const request = parseSearchRequest(`${type}?${query}`);
    const result = await searchResources(deps.db, request, { lenient: isLenient(req), ...access });
    const base = fhirBase(req, deps.baseUrl);
    res.type('application/fhir+json').json(searchsetBundle(base, `${base}/${type}${query ? `?${query}` : ''}`, result));
  };
}
