import express, { Router } from 'express';
import type { Db } from '../../db/database.js';
import { loadFhirDefinitions } from '../../fhir/fhir-definitions.js';
import { createFhirIngest, type FhirIngest } from '../../pipeline/fhir-ingest.js';
import { createObservers } from '../../pipeline/observers.js';
import { httpError } from '../outcome-middleware.js';
import { bundleHandler } from './bundle.handler.js';
import { buildCapabilityStatement, loadOperationDefinitions, type FhirOperationDeclaration } from './capability-statement.js';
import { everythingHandler } from './everything.handler.js';
import { historyHandler, readHandler, sendResource, vreadHandler } from './read.handler.js';
import { searchHandler } from './search.handler.js';

export interface FhirRouterDeps {
  db: Db;
  /** The public FHIR base (`https://host/fhir`) for fullUrl and links; default from each request. */
  baseUrl?: string;
  /** Operations served by other routers (identity, fusion), listed in `/metadata`. */
  extraOperations?: readonly FhirOperationDeclaration[];
  /** Those routers, mounted before the generic `/:type/:id` routes so `Patient/$match` reaches them. */
  operationRouters?: readonly Router[];
  /** `profiles/`: OperationDefinitions found there are served at `OperationDefinition/[id]`. */
  operationDefinitionsDir: string;
  /** Identity-linked source records for `$everything`; default only the id asked for. */
  resolvePatientIds?: (id: string) => Promise<string[]>;
  /** FHIR intake for `POST /fhir`; default one over `db` with the standard observers (src/pipeline/observers.ts). */
  ingest?: FhirIngest;
  /** Largest accepted Bundle body. */
  maxBodyBytes?: string;
}

/**
 * The FHIR R4 REST API (INTERFACE.md "FHIR R4 API at /fhir"), mounted at `/fhir` by the HTTP app,
 * which checks the bearer token; this router checks SMART scopes per type and interaction.
 */
export function createFhirRouter(deps: FhirRouterDeps): Router {
  loadFhirDefinitions();
  const router = Router();
  const capability = buildCapabilityStatement({ operations: deps.extraOperations ?? [] });
  const definitions = loadOperationDefinitions(deps.operationDefinitionsDir);
  const db = { db: deps.db, ...(deps.baseUrl ? { baseUrl: deps.baseUrl } : {}) };

  router.use(express.json({ type: ['application/json', 'application/fhir+json'], limit: deps.maxBodyBytes ?? '50mb' }));
  router.get('/metadata', (_req, res) => {
    res.type('application/fhir+json').json(capability);
  });
  router.get('/OperationDefinition/:id', (req, res) => {
    const def = definitions.get(String(req.params.id));
    if (!def) throw httpError('not-found', `OperationDefinition/${String(req.params.id)} is not known`);
    sendResource(res, def);
  });
  for (const r of deps.operationRouters ?? []) router.use(r);
  router.get('/Patient/:id/\\$everything', everythingHandler({ ...db, ...(deps.resolvePatientIds ? { resolvePatientIds: deps.resolvePatientIds } : {}) }));
  router.post('/', bundleHandler({ ingest: deps.ingest ?? createFhirIngest({ db: deps.db, observers: createObservers() }) }));
  router.get('/:type/:id/_history/:vid', vreadHandler(db));
  router.get('/:type/:id/_history', historyHandler(db));
  router.get('/:type/:id', readHandler(db));
  router.get('/:type', searchHandler(db));
  return router;
}
