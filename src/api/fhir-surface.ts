import path from 'node:path';
import type { Router } from 'express';
import type { Db } from '../db/database.js';
import { loadSpecRegistry } from '../fusion/spec.js';
import { loadBackendRegistry } from '../backends/registry.js';
import { defaultProfileDir, loadIdentityDeps } from '../identity/identity-deps.js';
import { patientRecordsResolver } from '../identity/patient-records.js';
import type { FhirIngest } from '../pipeline/fhir-ingest.js';
import { createFhirRouter } from './fhir/fhir.router.js';
import { ALIGNED_EXPORT_DECLARATION, createAlignedExportRouter } from './fusion/aligned-export.router.js';
import { createFusionRouter, FUSION_OPERATIONS } from './fusion/fusion.router.js';
import { IDENTITY_OPERATIONS } from './identity/identity-operations.js';
import { createIdentityRouter } from './identity/identity.router.js';

/**
 * The whole `/fhir` surface: identity and fusion operations mounted before the generic resource
 * routes, all listed in one CapabilityStatement.
 */
export function createFhirSurface(db: Db, opts: { ingest?: FhirIngest } = {}): Router {
  const profiles = path.dirname(defaultProfileDir());
  const resolvePatientRecords = patientRecordsResolver(db);
  const specs = loadSpecRegistry(path.join(profiles, 'fusion'));
  const fusion = createFusionRouter({
    db,
    specs,
    backends: loadBackendRegistry(path.join(profiles, 'models')),
    resolvePatientRecords,
    now: () => new Date(),
  });
  const alignedExport = createAlignedExportRouter({ db, specs, resolvePatientRecords, now: () => new Date() });
  const identity = createIdentityRouter({ db, identity: loadIdentityDeps() });
  return createFhirRouter({
    db,
    operationDefinitionsDir: profiles,
    extraOperations: [
      ...IDENTITY_OPERATIONS.map((o) => ({ name: o.name, definition: o.definition, resource: [o.resourceType] })),
      ...FUSION_OPERATIONS.map((o) => ({ name: o.name, definition: o.definition, resource: [o.resource] })),
      ALIGNED_EXPORT_DECLARATION,
    ],
    operationRouters: [identity, fusion, alignedExport],
    resolvePatientIds: (id) => resolvePatientRecords(id, new Date()),
    ...(opts.ingest ? { ingest: opts.ingest } : {}),
  });
}
