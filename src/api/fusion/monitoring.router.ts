import { Router } from 'express';
import type { Db } from '../../db/database.js';
import { computeMonitoring, defaultRanges } from '../../fusion/monitoring.js';
import { httpError } from '../outcome-middleware.js';

export interface MonitoringRouterDeps {
  db: Db;
  now: () => Date;
}

function instantParam(v: unknown, name: string): Date | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === 'string' ? Date.parse(v) : NaN;
  if (Number.isNaN(ms)) throw httpError('invalid', `${name} must be an ISO date-time`, name);
  return new Date(ms);
}

/**
 * `GET /monitoring` (mount under `/admin`): per-modality presence, staleness, value distributions and
 * drift. Optional `from`/`to` (current window, default the last 24 h) and `reference-from`/`reference-to`
 * (default the 7 days before the window), `min-count` (default 20).
 */
export function createMonitoringRouter(deps: MonitoringRouterDeps): Router {
  const router = Router();
  router.get('/monitoring', async (req, res) => {
    const q = req.query as Record<string, unknown>;
    const d = defaultRanges(deps.now());
    const window = { from: instantParam(q.from, 'from') ?? d.window.from, to: instantParam(q.to, 'to') ?? d.window.to };
    const reference = { from: instantParam(q['reference-from'], 'reference-from') ?? d.reference.from, to: instantParam(q['reference-to'], 'reference-to') ?? d.reference.to };
    if (window.from >= window.to) throw httpError('invalid', 'from must be before to', 'from');
    if (reference.from >= reference.to) throw httpError('invalid', 'reference-from must be before reference-to', 'reference-from');
    const minCount = q['min-count'] === undefined ? undefined : Number(q['min-count']);
    if (minCount !== undefined && !(Number.isInteger(minCount) && minCount > 0)) throw httpError('invalid', 'min-count must be a positive whole number', 'min-count');
    res.json(await computeMonitoring(deps.db, { window, reference, ...(minCount ? { minCount } : {}) }));
  });
  return router;
}
