import { Router } from 'express';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { isSchemaCurrent } from '../db/migrator.js';

export const AUTH_OFF_WARNING = 'authentication is off: every route is open to anyone who can reach this port';

export interface HealthRouterOptions {
  db: Db;
  authEnabled: boolean;
  /** A readiness probe must answer quickly even when the database does not; default 2000 ms. */
  timeoutMs?: number;
}

/**
 * `/healthz`: the process runs. `/readyz`: the database answers and every migration is applied;
 * load balancers and orchestrators send traffic only then. Neither needs a token.
 */
export function healthRouter(opts: HealthRouterOptions): Router {
  const router = Router();
  const timeoutMs = opts.timeoutMs ?? 2000;
  const warnings = opts.authEnabled ? [] : [AUTH_OFF_WARNING];

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  router.get('/readyz', async (_req, res) => {
    const database = await within(sql`SELECT 1`.execute(opts.db).then(() => true), timeoutMs).catch(() => false);
    const schema = database ? await within(isSchemaCurrent(opts.db), timeoutMs).catch(() => false) : false;
    const ready = database && schema;
    res.status(ready ? 200 : 503).json({
      status: ready ? 'ready' : 'not-ready',
      database: database ? 'ok' : 'unreachable',
      schema: !database ? 'unknown' : schema ? 'current' : 'migrations pending',
      ...(warnings.length ? { warnings } : {}),
    });
  });

  return router;
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('timeout')), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
