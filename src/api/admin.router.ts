import { Router, type Request } from 'express';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { MESSAGE_STATUSES, type Hl7MessageRow } from '../db/tables/hl7-message.table.js';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import type { Classifier } from '../ingest/classify.js';
import { decodeWith } from '../ingest/hl7v2/index.js';
import type { MessageWorker } from '../ingest/message-worker.js';
import { replayMessage } from '../ingest/replay.js';
import { httpError } from './outcome-middleware.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

const listQuerySchema = z.object({
  status: z.enum(MESSAGE_STATUSES).optional(),
  controlId: z.string().min(1).max(199).optional(),
  type: z.string().min(1).max(20).optional(),
  count: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(DEFAULT_PAGE_SIZE),
  cursor: z.string().regex(/^\d{1,18}$/, 'expected the cursor of a previous page').optional(),
});
export type ListQuery = z.infer<typeof listQuerySchema>;

const idSchema = z.string().regex(/^\d{1,18}$/);

/** One item of `GET /admin/messages`, as INTERFACE.md lists it. */
export interface MessageItem {
  id: string;
  controlId: string | null;
  type: string | null;
  sender: string | null;
  status: string;
  receivedAt: string;
  reason: unknown;
  duplicateOf: string | null;
}

export interface AdminRouterOptions {
  db: Db;
  worker: Pick<MessageWorker, 'processRow' | 'emit'>;
  classifier: Classifier;
}

/** The message store for operators: list, inspect, replay. Mounted behind the admin scope. */
export function adminRouter(opts: AdminRouterOptions): Router {
  const router = Router();

  router.get('/messages', async (req, res) => {
    const q = parseQuery(req);
    let query = opts.db
      .selectFrom('hl7_message')
      .select(['id', 'control_id', 'message_type', 'sender', 'status', 'received_at', 'reason', 'duplicate_of'])
      .orderBy('id', 'desc')
      .limit(q.count + 1);
    if (q.status) query = query.where('status', '=', q.status);
    if (q.controlId) query = query.where('control_id', '=', q.controlId);
    if (q.type) query = query.where('message_type', '=', q.type);
    // Keyset paging: stable under concurrent inserts, unlike offsets.
    if (q.cursor) query = query.where('id', '<', q.cursor);
    const rows = await query.execute();
    const page = rows.slice(0, q.count);
    const last = page[page.length - 1];
    res.json({ items: page.map(toItem), next: rows.length > q.count && last ? nextUrl(req, String(last.id)) : null });
  });

  router.get('/messages/:id', async (req, res) => {
    const id = parseId(req.params.id);
    const row = await opts.db.selectFrom('hl7_message').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw httpError('not-found', `no stored message ${id}`);
    res.json(toDetail(row, req.query.raw === '1' || req.query.raw === 'true'));
  });

  router.post('/messages/:id/replay', async (req, res) => {
    const id = parseId(req.params.id);
    res.json(await replayMessage(opts.db, opts.worker, opts.classifier, id));
  });

  return router;
}

/** Every bad parameter at once, each named in `expression` (STYLE.md pattern 5). */
function parseQuery(req: Request): ListQuery {
  const single: Record<string, unknown> = {};
  const issues: OperationOutcomeIssue[] = [];
  for (const [k, v] of Object.entries(req.query)) {
    if (Array.isArray(v)) issues.push({ severity: 'error', code: 'invalid', details: { text: `parameter ${k} given more than once` }, expression: [k] });
    else single[k] = v;
  }
  const parsed = listQuerySchema.safeParse(single);
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const name = i.path.join('.');
      issues.push({ severity: 'error', code: 'invalid', details: { text: `invalid parameter ${name}: ${i.message}` }, expression: [name] });
    }
  }
  if (issues.length || !parsed.success) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });
  return parsed.data;
}

function parseId(id: string | undefined): string {
  if (!idSchema.safeParse(id).success) throw httpError('not-found', `no stored message ${id ?? ''}`);
  return id as string;
}

function nextUrl(req: Request, cursor: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) if (k !== 'cursor' && typeof v === 'string') params.set(k, v);
  params.set('cursor', cursor);
  return `${req.protocol}://${req.get('host')}${req.baseUrl}${req.path}?${params}`;
}

type ItemRow = Pick<Hl7MessageRow, 'id' | 'control_id' | 'message_type' | 'sender' | 'status' | 'received_at' | 'reason' | 'duplicate_of'>;

function toItem(r: ItemRow): MessageItem {
  return {
    id: String(r.id),
    controlId: r.control_id,
    type: r.message_type,
    sender: r.sender,
    status: r.status,
    receivedAt: new Date(r.received_at).toISOString(),
    reason: r.reason,
    duplicateOf: r.duplicate_of === null ? null : String(r.duplicate_of),
  };
}

/** Everything stored about a receipt; the message itself only when asked (`?raw=1`): it holds patient data. */
function toDetail(r: Hl7MessageRow, withRaw: boolean) {
  const detail = {
    ...toItem(r),
    transport: r.transport,
    peer: r.peer,
    facility: r.facility,
    structure: r.structure,
    version: r.version,
    charset: r.charset,
    size: r.size,
    sha256: r.sha256.toString('hex'),
    ackCode: r.ack_code,
    flags: r.flags,
    processState: r.process_state,
    processedAt: r.processed_at ? new Date(r.processed_at).toISOString() : null,
    attempts: r.attempts,
  };
  if (!withRaw) return detail;
  return {
    ...detail,
    raw: r.raw ? decodeWith(r.raw, r.charset ?? 'utf8') : null,
    rawBase64: r.raw ? r.raw.toString('base64') : null,
  };
}
