import { Router } from 'express';
import type { Db } from '../../db/database.js';
import { runPull, type PullDeps } from '../../ingest/fhir-pull/fhir-puller.js';
import { pullRequestSchema } from '../../ingest/fhir-pull/pull-request.js';
import { createUpstreamClient } from '../../ingest/fhir-pull/upstream-client.js';
import type { FhirIngest } from '../../pipeline/fhir-ingest.js';
import { httpError } from '../outcome-middleware.js';

/**
 * `POST /admin/fhir-pull` runs `sinew pull` inside the server that holds the database (PGlite admits
 * one process). The answer streams NDJSON: `{"page":…}` after each page, `{"problem":…}` per
 * rejected resource, then `{"summary":[…]}` or `{"error":"…"}`, so a long pull never idles the
 * connection. Mounted under `/admin`, behind the admin scope.
 */
export function createFhirPullRouter(deps: { db: Db; ingest: FhirIngest; client?: (from: string, token?: string) => PullDeps['client'] }): Router {
  const router = Router();
  router.post('/fhir-pull', async (req, res) => {
    const parsed = pullRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw httpError('invalid', `${i?.path.join('.') || 'body'}: ${i?.message ?? 'invalid'}`, i?.path.join('.'));
    }
    const { from, since, types, token, pageSize } = parsed.data;
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    res.status(200).type('application/x-ndjson');
    res.flushHeaders();
    const line = (x: unknown) => res.write(`${JSON.stringify(x)}\n`);
    try {
      const summary = await runPull(
        {
          db: deps.db,
          ingest: deps.ingest,
          client: (deps.client ?? createUpstreamClient)(from, token),
          signal: abort.signal,
          onPage: (type, s) => line({ page: { ...s, type } }),
          onProblem: (p) => line({ problem: p }),
        },
        { from, ...(since ? { since } : {}), ...(types ? { types } : {}), ...(pageSize ? { pageSize } : {}) },
      );
      line({ summary });
    } catch (err) {
      line({ error: (err as Error).message });
    }
    res.end();
  });
  return router;
}
