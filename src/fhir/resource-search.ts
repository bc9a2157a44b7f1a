import type { SearchRequest } from '@medplum/core';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/database.js';
import { OperationOutcomeError } from './outcomes.js';
import { readReferences } from './resource.repository.js';
import { filterCondition, UnsupportedFilter } from './search-conditions.js';
import { isServedType, supportedParam } from './search-parameters.js';
import { COMPARTMENT_CODE } from './search-values.js';

export interface SearchOptions {
  /** `Prefer: handling=lenient`: drop unknown parameters with a warning instead of failing (R4 search.html#errors). */
  lenient?: boolean;
  defaultCount?: number;
  maxCount?: number;
  /** Confine results to one patient's compartment (`Patient/123`): patient-context SMART scopes. */
  compartment?: string;
}

export interface SearchResult {
  resources: Resource[];
  /** `_include` / `_revinclude` matches (entry.search.mode = include). */
  included: Resource[];
  total?: number;
  /** Opaque cursor for the next page (`_cursor=`), absent on the last page. */
  next?: string;
  /** Parameters ignored under lenient handling. */
  warnings: OperationOutcomeIssue[];
}

const DEFAULT_COUNT = 20;
const MAX_COUNT = 1000;
const MAX_INCLUDED = 1000;

/** Search the current versions (https://hl7.org/fhir/R4/search.html), paged by an offset cursor. */
export async function searchResources(db: Db, request: SearchRequest, opts: SearchOptions = {}): Promise<SearchResult> {
  const type = request.resourceType;
  if (!isServedType(type)) throw invalid('not-found', `resource type ${type} is not supported`);
  const issues: OperationOutcomeIssue[] = [];
  const conds: Array<RawBuilder<boolean>> = [sql<boolean>`c.resource_type = ${type}`, sql<boolean>`NOT c.deleted`];
  for (const f of request.filters ?? []) {
    const c = filterCondition(type, f);
    if (c instanceof UnsupportedFilter) issues.push(c.issue);
    else conds.push(c);
  }
  if (opts.compartment) conds.push(compartmentCondition(type, opts.compartment));
  const order = sortClause(type, request, issues);
  const includes = includeTargets(type, request, issues);
  if (issues.length && !opts.lenient) throw new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: issues });

  const where = sql.join(conds, sql` AND `);
  const count = Math.min(Math.max(request.count ?? opts.defaultCount ?? DEFAULT_COUNT, 0), opts.maxCount ?? MAX_COUNT);
  const offset = request.cursor ? decodeCursor(request.cursor) : Math.max(request.offset ?? 0, 0);
  const page = await sql<{ id: string; content: Resource }>`
    SELECT c.id, c.content FROM fhir_resource_current c WHERE ${where} ORDER BY ${order} LIMIT ${count + 1} OFFSET ${offset}`.execute(db);
  const rows = page.rows.slice(0, count);
  const total =
    request.total === 'none' ? undefined : (await sql<{ n: number }>`SELECT count(*)::int AS n FROM fhir_resource_current c WHERE ${where}`.execute(db)).rows[0]?.n;
  const included = await loadIncludes(db, type, rows.map((r) => r.id), includes, opts.compartment);
  return {
    resources: rows.map((r) => r.content),
    included,
    ...(total !== undefined ? { total } : {}),
    ...(page.rows.length > count ? { next: encodeCursor(offset + count) } : {}),
    warnings: issues.map((i) => ({ ...i, severity: 'warning' as const })),
  };
}

/** Resources of `type` in the patient's compartment; for Patient, the patient itself. */
export function compartmentCondition(type: string, patientRef: string): RawBuilder<boolean> {
  if (type === 'Patient') return sql<boolean>`c.id = ${patientRef.slice('Patient/'.length)}`;
  return sql<boolean>`c.id IN (SELECT s.id FROM fhir_search s WHERE s.resource_type = ${type} AND s.code = ${COMPARTMENT_CODE} AND s.value = ${patientRef})`;
}

function sortClause(type: string, request: SearchRequest, issues: OperationOutcomeIssue[]): RawBuilder<unknown> {
  const parts: Array<RawBuilder<unknown>> = [];
  for (const rule of request.sortRules ?? []) {
    const dir = rule.descending ? sql`DESC` : sql`ASC`;
    if (rule.code === '_lastUpdated') parts.push(sql`c.last_updated ${dir}`);
    else if (rule.code === '_id') parts.push(sql`c.id ${dir}`);
    else {
      const p = supportedParam(type, rule.code);
      if (!p || p.kind === 'reference') {
        issues.push({ severity: 'error', code: 'not-supported', details: { text: `cannot sort ${type} by "${rule.code}"` }, expression: ['_sort'] });
        continue;
      }
      const col = p.kind === 'date' ? sql`s.date_start` : p.kind === 'string' ? sql`s.norm` : sql`s.value`;
      const agg = rule.descending ? sql`max(${col})` : sql`min(${col})`;
      parts.push(sql`(SELECT ${agg} FROM fhir_search s WHERE s.resource_type = c.resource_type AND s.id = c.id AND s.code = ${p.code}) ${dir} NULLS LAST`);
    }
  }
  if (!parts.length) parts.push(sql`c.last_updated ASC`);
  parts.push(sql`c.id ASC`); // a total order, so offset pages neither repeat nor skip
  return sql.join(parts);
}

interface IncludeSpec {
  rev: boolean;
  type: string;
  param: string;
  targetType?: string;
}

function includeTargets(type: string, request: SearchRequest, issues: OperationOutcomeIssue[]): IncludeSpec[] {
  const out: IncludeSpec[] = [];
  const check = (t: { resourceType: string; searchParam: string; targetType?: string }, rev: boolean) => {
    const p = supportedParam(t.resourceType, t.searchParam);
    if (!p || p.kind !== 'reference' || (!rev && t.resourceType !== type)) {
      issues.push({ severity: 'error', code: 'not-supported', details: { text: `cannot ${rev ? '_revinclude' : '_include'} ${t.resourceType}:${t.searchParam}` }, expression: [rev ? '_revinclude' : '_include'] });
      return;
    }
    out.push({ rev, type: t.resourceType, param: p.code, ...(t.targetType ? { targetType: t.targetType } : {}) });
  };
  for (const t of request.include ?? []) check(t, false);
  for (const t of request.revInclude ?? []) check(t, true);
  return out;
}

async function loadIncludes(db: Db, type: string, ids: string[], specs: IncludeSpec[], compartment?: string): Promise<Resource[]> {
  if (!ids.length || !specs.length) return [];
  const found = new Map<string, Resource>();
  for (const spec of specs) {
    let resources: Resource[];
    if (!spec.rev) {
      const refs = await db
        .selectFrom('fhir_search')
        .select('value')
        .where('resource_type', '=', type)
        .where('code', '=', spec.param)
        .where('id', 'in', ids)
        .execute();
      const wanted = refs.map((r) => r.value ?? '').filter((v) => !spec.targetType || v.startsWith(`${spec.targetType}/`));
      resources = await readReferences(db, wanted);
    } else {
      const targets = ids.map((id) => `${type}/${id}`);
      const rows = await sql<{ content: Resource }>`
        SELECT c.content FROM fhir_resource_current c
        WHERE c.resource_type = ${spec.type} AND NOT c.deleted
          AND c.id IN (SELECT s.id FROM fhir_search s WHERE s.resource_type = ${spec.type} AND s.code = ${spec.param} AND s.value IN (${sql.join(targets)}))
          ${compartment ? sql`AND ${compartmentCondition(spec.type, compartment)}` : sql``}
        ORDER BY c.id LIMIT ${MAX_INCLUDED}`.execute(db);
      resources = rows.rows.map((r) => r.content);
    }
    for (const r of resources) found.set(`${r.resourceType}/${r.id}`, r);
  }
  for (const id of ids) found.delete(`${type}/${id}`);
  return [...found.values()];
}

/** Opaque to clients (R4 http.html#paging); base64url so it survives any URL handling. */
function encodeCursor(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeCursor(cursor: string): number {
  try {
    const o = (JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown }).o;
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // fall through
  }
  throw invalid('invalid', 'the _cursor parameter is not one this server issued');
}

function invalid(code: 'invalid' | 'not-found', text: string): OperationOutcomeError {
  return new OperationOutcomeError({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, details: { text } }] });
}
