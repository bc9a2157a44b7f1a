import express, { Router, type Request, type Response } from 'express';
import type { Bundle } from '@medplum/fhirtypes';
import { hasScope, isAdmin, type ScopeHolder } from '../../auth/scopes.js';
import type { Claims } from '../../auth/tokens.js';
import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import { alignedBundleFor, DEFAULT_SPEC, type AlignedBundleDeps } from '../../fusion/aligned-bundle.service.js';
import { logBundleManifest } from '../../fusion/bundle-log.repository.js';
import { assessFor, type AssessDeps } from '../../fusion/assess.service.js';
import { ALIGNED_BUNDLE_OPERATION, SINEW_CANONICAL } from '../../fusion/fhir-urls.js';
import type { SpecRegistry } from '../../fusion/spec.js';
import { toFhirParameters } from '../../fusion/to-fhir-parameters.js';
import { MODALITIES, type Modality } from '../../timeline/timeline-event.js';
import { claimsOf } from '../auth-middleware.js';
import { httpError } from '../outcome-middleware.js';
import { operationInputFromBody, operationInputFromQuery, type OperationInput } from './fusion-params.js';

export const ASSESS_OPERATION = `${SINEW_CANONICAL}/OperationDefinition/assess`;

/** For the CapabilityStatement (rest.resource[Patient].operation). */
export const FUSION_OPERATIONS = Object.freeze([
  { name: 'aligned-bundle', definition: ALIGNED_BUNDLE_OPERATION, resource: 'Patient' },
  { name: 'assess', definition: ASSESS_OPERATION, resource: 'Patient' },
] as const);

export type FusionRouterDeps = AlignedBundleDeps & Partial<Pick<AssessDeps, 'backends' | 'timeoutMs'>>;

/**
 * SMART: a modality is readable only when every resource type its spec selects may be read; the
 * rest are dropped as `not-authorized` (never `absent`). Undefined claims: auth is off.
 */
export function unreadableModalities(claims: ScopeHolder | undefined, specs: SpecRegistry, specName: string): Partial<Record<Modality, string>> | undefined {
  if (!claims || isAdmin(claims) || !specs.names().includes(specName)) return undefined;
  const spec = specs.get(specName);
  const out: Partial<Record<Modality, string>> = {};
  for (const m of MODALITIES) {
    const types = spec.modalities[m]?.select.resourceTypes ?? [];
    const denied = types.filter((type) => !hasScope(claims, { type, interaction: 'r' }));
    if (denied.length) out[m] = `the token may not read ${denied.join(', ')}`;
  }
  return Object.keys(out).length ? out : undefined;
}

/** A patient-context token reads only its own patient (SMART App Launch, `patient` launch context). */
function checkPatientContext(claims: Claims | undefined, patientId: string): void {
  if (!claims?.patient || claims.patient === patientId || isAdmin(claims)) return;
  if (hasScope(claims, { type: 'Patient', interaction: 'r', contexts: ['user', 'system'] })) return;
  throw httpError('forbidden', `the token is for Patient/${claims.patient}, not Patient/${patientId}`, 'id');
}

function fhirJson(res: Response, body: unknown): void {
  res.type('application/fhir+json').send(JSON.stringify(body));
}

/**
 * `$aligned-bundle` and `$assess` (INTERFACE.md; profiles/OperationDefinition-*.json). Mount at
 * `/fhir` before the generic resource routes. Thin: parameters in, service, FHIR out. Every bundle
 * served is logged to bundle_log for monitoring (unless `logBundles: false`), after the answer has
 * gone out so the write is never on the request's latency; a failed write never fails the request.
 */
export function createFusionRouter(deps: FusionRouterDeps): Router {
  const router = Router();
  const logBundles = deps.logBundles !== false;
  const serviceDeps: FusionRouterDeps = { ...deps, logBundles: false };
  const logAfterResponse = async (bundle: AlignedBundle): Promise<void> => {
    if (logBundles) await logBundleManifest(deps.db, bundle, deps.now()).catch(() => undefined);
  };
  const body = express.json({ limit: '256kb', type: ['application/json', 'application/fhir+json'] });

  const alignedBundle = async (req: Request, res: Response, input: OperationInput) => {
    const id = req.params.id as string;
    const claims = claimsOf(res);
    checkPatientContext(claims, id);
    const notAuthorized = unreadableModalities(claims, deps.specs, input.spec ?? DEFAULT_SPEC);
    const bundle = await alignedBundleFor(serviceDeps, {
      patientId: id,
      indexTime: input.indexTime as string,
      ...(input.asOf ? { asOf: input.asOf } : {}),
      ...(input.spec ? { spec: input.spec } : {}),
      ...(input.modalities ? { modalities: input.modalities } : {}),
      ...(notAuthorized ? { notAuthorized } : {}),
    });
    fhirJson(res, toFhirParameters(bundle));
    await logAfterResponse(bundle);
  };

  router.get('/Patient/:id/$aligned-bundle', async (req, res) => {
    const input = operationInputFromQuery(req);
    if (input.model !== undefined) throw httpError('invalid', 'unknown parameter "model"', 'model');
    await alignedBundle(req, res, input);
  });
  router.post('/Patient/:id/$aligned-bundle', body, async (req, res) => {
    await alignedBundle(req, res, { ...operationInputFromQuery(req), ...operationInputFromBody(req.body) });
  });

  router.get('/Patient/:id/$assess', async (req, res) => {
    if (!deps.backends) throw httpError('not-supported', 'no model backends are configured', 'model');
    const input = operationInputFromQuery(req);
    const id = req.params.id as string;
    const claims = claimsOf(res);
    checkPatientContext(claims, id);
    const model = input.model ?? '';
    const specName = input.spec ?? (deps.backends.names().includes(model) ? deps.backends.config(model).spec : undefined) ?? DEFAULT_SPEC;
    const notAuthorized = unreadableModalities(claims, deps.specs, specName);
    const out = await assessFor(
      { ...serviceDeps, backends: deps.backends },
      {
        patientId: id,
        model,
        indexTime: input.indexTime as string,
        ...(input.asOf ? { asOf: input.asOf } : {}),
        ...(input.spec ? { spec: input.spec } : {}),
        ...(input.modalities ? { modalities: input.modalities } : {}),
        ...(notAuthorized ? { notAuthorized } : {}),
      },
    );
    const result: Bundle = {
      resourceType: 'Bundle',
      type: 'collection',
      timestamp: out.provenance.recorded,
      entry: [
        { resource: out.riskAssessment },
        { resource: out.provenance },
      ],
    };
    fhirJson(res, result);
    await logAfterResponse(out.bundle);
  });
  return router;
}
