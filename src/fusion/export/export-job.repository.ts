import type { Db } from '../../db/database.js';
import type { ExportFileKind, ExportFileRow, ExportJobRow } from '../../db/tables/export-job.table.js';

export interface NewExportJob {
  id: string;
  owner: string;
  requestUrl: string;
  request: Record<string, unknown>;
}

export async function createExportJob(db: Db, job: NewExportJob): Promise<void> {
  await db.insertInto('export_job').values({ id: job.id, owner: job.owner, status: 'accepted', request_url: job.requestUrl, request: JSON.stringify(job.request) }).execute();
}

export async function exportJob(db: Db, id: string): Promise<ExportJobRow | undefined> {
  return db.selectFrom('export_job').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Progress; false when the job no longer exists (it was cancelled): the runner then stops. */
export async function reportProgress(db: Db, id: string, p: { status?: 'in-progress'; total?: number; done: number }): Promise<boolean> {
  const r = await db
    .updateTable('export_job')
    .set({ done: p.done, ...(p.total !== undefined ? { total: p.total } : {}), ...(p.status ? { status: p.status } : {}) })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

export async function finishExportJob(db: Db, id: string, result: { status: 'completed' | 'failed'; error?: string; done?: number }): Promise<void> {
  await db
    .updateTable('export_job')
    .set({ status: result.status, error: result.error ?? null, finished_at: new Date(), ...(result.done !== undefined ? { done: result.done } : {}) })
    .where('id', '=', id)
    .execute();
}

/** Stores one NDJSON part file; false when the job was cancelled meanwhile (no row to attach to). */
export async function saveExportFile(db: Db, f: { jobId: string; name: string; type: string; kind: ExportFileKind; lines: readonly string[] }): Promise<boolean> {
  if (!(await exportJob(db, f.jobId))) return false;
  await db
    .insertInto('export_file')
    .values({ job_id: f.jobId, name: f.name, type: f.type, kind: f.kind, count: f.lines.length, content: f.lines.length ? `${f.lines.join('\n')}\n` : '' })
    .execute();
  return true;
}

/** The job's files without their content (for the manifest). */
export async function exportFiles(db: Db, jobId: string): Promise<Omit<ExportFileRow, 'content'>[]> {
  return db.selectFrom('export_file').select(['job_id', 'name', 'type', 'kind', 'count']).where('job_id', '=', jobId).orderBy('kind', 'desc').orderBy('name').execute();
}

export async function exportFile(db: Db, jobId: string, name: string): Promise<ExportFileRow | undefined> {
  return db.selectFrom('export_file').selectAll().where('job_id', '=', jobId).where('name', '=', name).executeTakeFirst();
}

/** Cancel (Bulk Data DELETE): the job and its files go; a runner still working notices and stops. */
export async function deleteExportJob(db: Db, id: string): Promise<boolean> {
  const r = await db.deleteFrom('export_job').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
