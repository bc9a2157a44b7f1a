import { Router } from 'express';
import type { Db } from '../db/database.js';
import { loadIdentityDeps } from '../identity/identity-deps.js';
import { createIdentityAdminRouter } from './identity/identity-admin.router.js';

/**
 * The stewardship routes under `/admin` beyond the message store: each area keeps its own router
 * and is mounted here under its own prefix, behind the admin scope that `/admin` already checks.
 */
export function createAdminSurface(db: Db): Router[] {
  const identity = Router().use('/identity', createIdentityAdminRouter({ db, identity: loadIdentityDeps() }));
  return [identity];
}
