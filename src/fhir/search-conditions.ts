import { Operator, splitSearchOnComma, type Filter } from '@medplum/core';
import { sql, type RawBuilder } from 'kysely';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { dateRange, type DateRange } from './date-range.js';
import { supportedParam, type SupportedParam } from './search-parameters.js';
import { normalizeReference, normalizeString } from './search-values.js';

/** A filter that the store cannot answer: the caller fails (strict) or drops it (lenient). */
export class UnsupportedFilter {
  constructor(readonly issue: OperationOutcomeIssue) {}
}

type Cond = RawBuilder<boolean>;

/**
 * SQL for one search filter over `fhir_resource_current c`; comma-separated values are ORed
 * (https://hl7.org/fhir/R4/search.html#combining). `_id` and `_lastUpdated` read the resource row,
 * the rest go through one index-backed `fhir_search` sub-select.
 */
export function filterCondition(type: string, f: Filter): Cond | UnsupportedFilter {
  const values = splitSearchOnComma(f.value);
  if (f.code === '_id') {
    if (f.operator !== Operator.EQUALS) return unsupported(`_id does not support :${f.operator}`, '_id');
    return sql<boolean>`c.id IN (${sql.join(values)})`;
  }
  if (f.code === '_lastUpdated') {
    const ranges = parseDates(values, '_lastUpdated');
    if (ranges instanceof UnsupportedFilter) return ranges;
    return anyOf(ranges.map((r) => pointCondition(sql`c.last_updated`, f.operator, r))) ?? unsupported(`_lastUpdated does not support ${f.operator}`, '_lastUpdated');
  }
  const param = supportedParam(type, f.code);
  if (!param) return unsupported(`unknown search parameter "${f.code}" for ${type}`, f.code);
  const negate = f.operator === Operator.NOT || (f.operator === Operator.NOT_EQUALS && param.kind === 'token');
  const conds = valueConditions(param, negate ? Operator.EQUALS : f.operator, values);
  if (conds instanceof UnsupportedFilter) return conds;
  const sub = sql`SELECT s.id FROM fhir_search s WHERE s.resource_type = ${type} AND s.code = ${param.code} AND (${sql.join(conds, sql` OR `)})`;
  return negate ? sql<boolean>`c.id NOT IN (${sub})` : sql<boolean>`c.id IN (${sub})`;
}

function valueConditions(p: SupportedParam, op: Operator, values: string[]): Cond[] | UnsupportedFilter {
  switch (p.kind) {
    case 'token':
      if (op !== Operator.EQUALS) return unsupported(`${p.code} (token) does not support :${op}`, p.code);
      return values.map(tokenCondition);
    case 'string': {
      if (op === Operator.EXACT) return values.map((v) => sql<boolean>`s.value = ${v}`);
      if (op === Operator.CONTAINS) return values.map((v) => sql<boolean>`s.norm LIKE ${`%${escapeLike(normalizeString(v))}%`}`);
      if (op !== Operator.EQUALS) return unsupported(`${p.code} (string) does not support :${op}`, p.code);
      // Default string search: starts with, case- and accent-insensitive (R4 search.html#string).
      return values.map((v) => sql<boolean>`s.norm LIKE ${`${escapeLike(normalizeString(v))}%`}`);
    }
    case 'reference': {
      if (op !== Operator.EQUALS) return unsupported(`${p.code} (reference) does not support :${op}`, p.code);
      const targets = p.definition.target ?? [];
      return values.map((v) => {
        if (v.includes('/')) return sql<boolean>`s.value = ${normalizeReference(v)}`;
        if (!targets.length) return sql<boolean>`s.value LIKE ${`%/${escapeLike(v)}`}`;
        return sql<boolean>`s.value IN (${sql.join(targets.map((t) => `${t}/${v}`))})`;
      });
    }
    case 'date': {
      const ranges = parseDates(values, p.code);
      if (ranges instanceof UnsupportedFilter) return ranges;
      const conds = ranges.map((r) => rangeCondition(op, r));
      return conds.every((c): c is Cond => !!c) ? conds : unsupported(`${p.code} (date) does not support ${op}`, p.code);
    }
  }
}

/** `code`, `system|code`, `|code` (no system), `system|` (any code in the system). */
function tokenCondition(v: string): Cond {
  const bar = v.indexOf('|');
  if (bar < 0) return sql<boolean>`s.value = ${v}`;
  const system = v.slice(0, bar);
  const code = v.slice(bar + 1);
  if (!system) return sql<boolean>`(s.system IS NULL AND s.value = ${code})`;
  if (!code) return sql<boolean>`s.system = ${system}`;
  return sql<boolean>`(s.system = ${system} AND s.value = ${code})`;
}

/**
 * Prefix semantics over intervals (R4 search.html#prefix): the resource's [rs, re) against the
 * parameter's [ps, pe).
 */
function rangeCondition(op: Operator, p: DateRange): Cond | undefined {
  const { start: ps, end: pe } = p;
  switch (op) {
    case Operator.EQUALS: return sql<boolean>`(s.date_start >= ${ps} AND s.date_end <= ${pe})`;
    case Operator.NOT_EQUALS: return sql<boolean>`NOT (s.date_start >= ${ps} AND s.date_end <= ${pe})`;
    case Operator.GREATER_THAN: return sql<boolean>`s.date_end > ${pe}`;
    case Operator.LESS_THAN: return sql<boolean>`s.date_start < ${ps}`;
    case Operator.GREATER_THAN_OR_EQUALS: return sql<boolean>`s.date_end > ${ps}`;
    case Operator.LESS_THAN_OR_EQUALS: return sql<boolean>`s.date_start < ${pe}`;
    case Operator.STARTS_AFTER: return sql<boolean>`s.date_start >= ${pe}`;
    case Operator.ENDS_BEFORE: return sql<boolean>`s.date_end <= ${ps}`;
    case Operator.APPROXIMATELY: return sql<boolean>`(s.date_start < ${pe} AND s.date_end > ${ps})`;
    default: return undefined;
  }
}

/** The same prefixes for an instant column (`meta.lastUpdated`), written so the index serves them. */
function pointCondition(col: RawBuilder<unknown>, op: Operator, p: DateRange): Cond | undefined {
  const { start: ps, end: pe } = p;
  switch (op) {
    case Operator.EQUALS:
    case Operator.APPROXIMATELY: return sql<boolean>`(${col} >= ${ps} AND ${col} < ${pe})`;
    case Operator.NOT_EQUALS: return sql<boolean>`(${col} < ${ps} OR ${col} >= ${pe})`;
    case Operator.GREATER_THAN:
    case Operator.STARTS_AFTER: return sql<boolean>`${col} >= ${pe}`;
    case Operator.LESS_THAN:
    case Operator.ENDS_BEFORE: return sql<boolean>`${col} < ${ps}`;
    case Operator.GREATER_THAN_OR_EQUALS: return sql<boolean>`${col} >= ${ps}`;
    case Operator.LESS_THAN_OR_EQUALS: return sql<boolean>`${col} < ${pe}`;
    default: return undefined;
  }
}

function parseDates(values: string[], code: string): DateRange[] | UnsupportedFilter {
  const out: DateRange[] = [];
  for (const v of values) {
    const r = dateRange(v);
    if (!r) return new UnsupportedFilter({ severity: 'error', code: 'invalid', details: { text: `${code}: "${v}" is not a FHIR date` }, expression: [code] });
    out.push(r);
  }
  return out;
}

function anyOf(conds: Array<Cond | undefined>): Cond | undefined {
  if (!conds.length || conds.some((c) => !c)) return undefined;
  return sql<boolean>`(${sql.join(conds as Cond[], sql` OR `)})`;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function unsupported(text: string, param: string): UnsupportedFilter {
  return new UnsupportedFilter({ severity: 'error', code: 'not-supported', details: { text }, expression: [param] });
}
