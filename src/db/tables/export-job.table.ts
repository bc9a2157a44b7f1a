import type { ColumnType, Selectable } from 'kysely';

/** Bulk Data job states: accepted → in-progress → completed | failed (a cancelled job is deleted). */
export const EXPORT_JOB_STATUSES = ['accepted', 'in-progress', 'completed', 'failed'] as const;
export type ExportJobStatus = (typeof EXPORT_JOB_STATUSES)[number];

export const EXPORT_FILE_KINDS = ['output', 'error'] as const;
export type ExportFileKind = (typeof EXPORT_FILE_KINDS)[number];

/** One `$aligned-export` kick-off: who asked, what, and how far it got. */
export interface ExportJobTable {
  id: string;
  /** Token subject of the kick-off: only it (or an administrator) may poll, download or cancel. */
  owner: string;
  status: ExportJobStatus;
  request_url: string;
  request: ColumnType<Record<string, unknown>, string, string>;
  total: ColumnType<number, number | undefined, number>;
  done: ColumnType<number, number | undefined, number>;
  error: string | null;
  created_at: ColumnType<Date, Date | string | undefined, never>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

/** One NDJSON file of a job: `output` (aligned bundles, missingness table) or `error` (OperationOutcomes). */
export interface ExportFileTable {
  job_id: string;
  name: string;
  type: string;
  kind: ExportFileKind;
  count: number;
  content: string;
}

export type ExportJobRow = Selectable<ExportJobTable>;
export type ExportFileRow = Selectable<ExportFileTable>;

declare module './index.js' {
  interface Tables {
    export_job: ExportJobTable;
    export_file: ExportFileTable;
  }
}
