import { Router } from 'express';
import type { Db } from '../db/database.js';
import { loadIdentityDeps } from '../identity/identity-deps.js';
import { createMonitoringRouter } from './fusion/monitoring.router.js';
import { createIdentityAdminRouter } from './identity/identity-admin.router.js';

/**
 * The stewardship routes under `/admin` beyond the message store: each area keeps its own router
 * and is mounted here under its own prefix, behind the admin scope that `/admin` already checks.
 */
export function createAdminSurface(db: Db): Router[] {
  const identity = Router().use('/identity', createIdentityAdminRouter({ db, identity: loadIdentityDeps() }));
  // GET /admin/monitoring: per-modality presence, staleness, value distributions and drift.
  const monitoring = createMonitoringRouter({ db, now: () => new Date() });
  return [identity, monitoring];
}
