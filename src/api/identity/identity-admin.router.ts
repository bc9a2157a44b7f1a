import express, { Router, type Response } from 'express';
import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { explainPair } from '../../identity/explain.js';
import { linkHistory } from '../../identity/history.js';
import type { IdentityDeps } from '../../identity/identity-deps.js';
import { exportLinks, linksToCsv, reviewQueue } from '../../identity/index-queries.js';
import { link, mergeSources, unlink, unmerge } from '../../identity/merge.js';
import { claimsOf } from '../auth-middleware.js';
import { httpError } from '../outcome-middleware.js';

export interface IdentityAdminDeps {
  db: Db;
  identity: IdentityDeps;
}

const id = z.string().min(1).max(200);
const pairSchema = z.object({ sourceId: id, goldenId: id, by: z.string().max(200).optional() });
const mergeSchema = z.object({ from: id, into: id, by: z.string().max(200).optional(), at: z.iso.datetime({ offset: true }).optional() });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw httpError('invalid', r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return r.data;
}

/** The verified caller, else the body's `by`, else "admin": every manual change says who made it. */
const who = (res: Response, by?: string) => claimsOf(res)?.sub ?? by ?? 'admin';

/** Stewardship of the index at `/admin/identity` (behind the admin scope). */
export function createIdentityAdminRouter(deps: IdentityAdminDeps): Router {
  const router = Router();
  const { db, identity } = deps;
  router.use(express.json({ limit: '1mb' }));

  router.get('/review', async (req, res) => {
    const limit = parse(z.coerce.number().int().min(1).max(1000).default(100), req.query.count);
    res.json({ items: await reviewQueue(db, limit) });
  });

  router.get('/links', async (req, res) => {
    const format = parse(z.enum(['json', 'csv']).default('json'), req.query.format);
    const rows = await exportLinks(db, { includeNoMatch: req.query.includeNoMatch === 'true' });
    if (format === 'csv') res.type('text/csv').send(linksToCsv(rows));
    else res.json(rows);
  });

  router.get('/history/:id', async (req, res) => {
    res.json({ id: req.params.id, links: await linkHistory(db, parse(id, req.params.id)) });
  });

  router.get('/explain', async (req, res) => {
    const q = parse(z.object({ a: id, b: id }), req.query);
    res.json(await explainPair(db, q.a, q.b, identity));
  });

  router.post('/link', async (req, res) => {
    const b = parse(pairSchema, req.body);
    await link(db, b.sourceId, b.goldenId, who(res, b.by), identity);
    res.json({ sourceId: b.sourceId, goldenId: b.goldenId, state: 'MATCH', how: 'MANUAL' });
  });

  router.post('/unlink', async (req, res) => {
    const b = parse(pairSchema, req.body);
    const { newGoldenId } = await unlink(db, b.sourceId, b.goldenId, who(res, b.by), identity);
    res.json({ sourceId: b.sourceId, goldenId: b.goldenId, state: 'NO_MATCH', how: 'MANUAL', newGoldenId });
  });

  router.post('/merge', async (req, res) => {
    const b = parse(mergeSchema, req.body);
    res.json(await mergeSources(db, { from: b.from, into: b.into, by: who(res, b.by), at: b.at ? new Date(b.at) : new Date() }, identity));
  });

  router.post('/unmerge/:mergeId', async (req, res) => {
    const mergeId = parse(z.string().regex(/^\d{1,18}$/, 'expected a merge id'), req.params.mergeId);
    res.json(await unmerge(db, mergeId, { by: who(res), ...identity }));
  });

  return router;
}
