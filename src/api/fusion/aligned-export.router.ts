import { randomUUID } from 'node:crypto';
import express, { Router, type Request, type Response } from 'express';
import { isAdmin } from '../../auth/scopes.js';
import type { AlignedBundleDeps } from '../../fusion/aligned-bundle.service.js';
import { createExportJob, deleteExportJob, exportFile, exportFiles, exportJob } from '../../fusion/export/export-job.repository.js';
import { parseExportRequest } from '../../fusion/export/export-request.js';
import { runExport } from '../../fusion/export/run-export.js';
import { SINEW_CANONICAL } from '../../fusion/fhir-urls.js';
import type { ExportJobRow } from '../../db/tables/export-job.table.js';
import { claimsOf } from '../auth-middleware.js';
import { httpError } from '../outcome-middleware.js';
import { unreadableModalities } from './fusion.router.js';

export const ALIGNED_EXPORT_OPERATION = `${SINEW_CANONICAL}/OperationDefinition/aligned-export`;

/** For the CapabilityStatement: a system-level operation (`[base]/$aligned-export`). */
export const ALIGNED_EXPORT_DECLARATION = Object.freeze({ name: 'aligned-export', definition: ALIGNED_EXPORT_OPERATION });

const STATUS_PATH = '/$aligned-export-status';
const FILE_PATH = '/$aligned-export-file';

/** Who may see a job: the token subject that kicked it off, or an administrator; auth off: anyone. */
function ownerOf(res: Response): string {
  return claimsOf(res)?.sub ?? 'anonymous';
}

async function ownedJob(deps: AlignedBundleDeps, req: Request, res: Response): Promise<ExportJobRow> {
  const job = await exportJob(deps.db, req.params.id as string);
  if (!job) throw httpError('not-found', `no export job ${req.params.id as string} (finished jobs are kept until deleted; a deleted job is gone)`, 'id');
  const claims = claimsOf(res);
  if (claims && !isAdmin(claims) && job.owner !== ownerOf(res)) throw httpError('forbidden', `export job ${job.id} belongs to another client`, 'id');
  return job;
}

/** The base URL the client used for /fhir, so Content-Location and file URLs work behind the same host. */
function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
}

/**
 * `POST /fhir/$aligned-export` (INTERFACE.md): the batch twin of `$aligned-bundle`, asynchronous as
 * FHIR Bulk Data v2 prescribes — kick-off answers 202 with a Content-Location status URL; polling
 * answers 202 with X-Progress until the 200 manifest; DELETE cancels; files need the same token.
 * Mount at `/fhir` before the generic resource routes.
 */
export function createAlignedExportRouter(deps: AlignedBundleDeps): Router {
  const router = Router();
  const body = express.json({ limit: '16mb', type: ['application/json', 'application/fhir+json'] });
  const exportDeps: AlignedBundleDeps = { ...deps, logBundles: false };

  router.post('/$aligned-export', body, async (req, res) => {
    const request = parseExportRequest(req.body, deps.specs, deps.now().getTime());
    const claims = claimsOf(res);
    if (claims?.patient && !isAdmin(claims)) {
      const others = [...request.patients, ...request.items.map((i) => i.patient)].filter((p) => p !== claims.patient);
      if (others.length || request.identifiers.length) throw httpError('forbidden', `the token is for Patient/${claims.patient} only; a training export needs a system token`, 'patient');
    }
    const notAuthorized = unreadableModalities(claims, deps.specs, request.spec);
    const id = randomUUID();
    await createExportJob(deps.db, { id, owner: ownerOf(res), requestUrl: `${baseUrl(req)}/$aligned-export`, request: { ...request } });
    // Runs after the answer; it records its own outcome (completed, failed) in the job row.
    void runExport(exportDeps, { id, request, ...(notAuthorized ? { notAuthorized } : {}) });
    res
      .status(202)
      .set('Content-Location', `${baseUrl(req)}${STATUS_PATH}/${id}`)
      .type('application/fhir+json')
      .send(JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text: `export job ${id} accepted` } }] }));
  });

  router.get(`${STATUS_PATH}/:id`, async (req, res) => {
    const job = await ownedJob(deps, req, res);
    if (job.status === 'accepted' || job.status === 'in-progress') {
      res.status(202).set('X-Progress', `${job.status}: ${job.done} of ${job.total} items`).set('Retry-After', '2').end();
      return;
    }
    if (job.status === 'failed') throw httpError('exception', `export job ${job.id} failed: ${job.error ?? 'unknown error'}`);
    const files = await exportFiles(deps.db, job.id);
    const url = (name: string) => `${baseUrl(req)}${FILE_PATH}/${job.id}/${name}`;
    res.status(200).json({
      transactionTime: new Date(job.created_at).toISOString(),
      request: job.request_url,
      requiresAccessToken: true,
      output: files.filter((f) => f.kind === 'output').map((f) => ({ type: f.type, url: url(f.name), count: f.count })),
      error: files.filter((f) => f.kind === 'error').map((f) => ({ type: f.type, url: url(f.name), count: f.count })),
    });
  });

  router.delete(`${STATUS_PATH}/:id`, async (req, res) => {
    const job = await ownedJob(deps, req, res);
    await deleteExportJob(deps.db, job.id);
    res.status(202).end();
  });

  router.get(`${FILE_PATH}/:id/:name`, async (req, res) => {
    const job = await ownedJob(deps, req, res);
    const file = await exportFile(deps.db, job.id, req.params.name as string);
    if (!file) throw httpError('not-found', `export job ${job.id} has no file ${req.params.name as string}`, 'name');
    res.status(200).type(file.type === 'missingness' ? 'application/x-ndjson' : 'application/fhir+ndjson').send(file.content);
  });
  return router;
}
