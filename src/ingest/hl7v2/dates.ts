import { OperationOutcomeError, badRequest } from '../../fhir/outcomes.js';

export const DATE_TIME_PRECISIONS = ['year', 'month', 'day', 'hour', 'minute', 'second', 'fraction'] as const;
export type DateTimePrecision = (typeof DATE_TIME_PRECISIONS)[number];

export interface FhirDateTime {
  value: string;
  precision: DateTimePrecision;
}

/** HL7 DTM/TS: `YYYY[MM[DD[HH[MM[SS[.S…]]]]]][+/-ZZ[ZZ]]` (HL7 v2.5.1 chapter 2A.22 DTM). */
const DTM = /^(\d{4})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(\.\d{1,9})?)?)?)?)?)?([+-]\d{2}(?:\d{2})?)?$/;

interface Parts {
  y: number; mo?: number; d?: number; h?: number; mi?: number; s?: number;
  fraction?: string; offset?: string;
}

/**
 * HL7 DTM/TS → FHIR dateTime, keeping the sent precision. FHIR requires an offset whenever a time
 * is present (https://hl7.org/fhir/R4/datatypes.html#dateTime), so a zone-less time takes the
 * offset `defaultZone` had at that instant (DST-aware), never the offset of "now" (MS #353).
 * Hour and minute precision are padded to seconds; `precision` says what was really sent.
 */
export function hl7ToFhirDateTime(value: string, defaultZone: string): FhirDateTime {
  const p = parseDtm(value);
  const date = formatDate(p);
  if (p.h === undefined) return { value: date, precision: p.d !== undefined ? 'day' : p.mo !== undefined ? 'month' : 'year' };
  const time = `${pad(p.h)}:${pad(p.mi ?? 0)}:${pad(p.s ?? 0)}${p.fraction ?? ''}`;
  const offset = p.offset !== undefined ? formatOffset(p.offset) : zoneOffset(p, defaultZone, value);
  const precision: DateTimePrecision = p.fraction ? 'fraction' : p.s !== undefined ? 'second' : p.mi !== undefined ? 'minute' : 'hour';
  return { value: `${date}T${time}${offset}`, precision };
}

/** HL7 DT (or the date part of a DTM) → FHIR date at the precision sent. */
export function hl7ToFhirDate(value: string): string {
  return formatDate(parseDtm(value));
}

/** For ACKs and generated headers: UTC, second precision, explicit `+0000`. */
export function formatHl7DateTime(date: Date): string {
  return (
    `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}` +
    `${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}+0000`
  );
}

function parseDtm(value: string): Parts {
  const m = DTM.exec(value.trim());
  if (!m) throw invalid(value, 'is not an HL7 date/time (YYYY[MM[DD[HH[MM[SS[.S]]]]]][+/-ZZZZ])');
  const num = (s: string | undefined): number | undefined => (s === undefined ? undefined : Number(s));
  const p: Parts = { y: Number(m[1]), mo: num(m[2]), d: num(m[3]), h: num(m[4]), mi: num(m[5]), s: num(m[6]), fraction: m[7], offset: m[8] };
  if (p.mo !== undefined && (p.mo < 1 || p.mo > 12)) throw invalid(value, 'has month out of range');
  if (p.d !== undefined && (p.d < 1 || p.d > daysInMonth(p.y, p.mo!))) throw invalid(value, 'has day out of range');
  if (p.h !== undefined && p.h > 23) throw invalid(value, 'has hour out of range');
  if (p.mi !== undefined && p.mi > 59) throw invalid(value, 'has minute out of range');
  if (p.s !== undefined && p.s > 59) throw invalid(value, 'has second out of range');
  if (p.offset !== undefined) {
    const oh = Number(p.offset.slice(1, 3));
    const om = p.offset.length > 3 ? Number(p.offset.slice(3, 5)) : 0;
    if (oh > 14 || om > 59) throw invalid(value, 'has offset out of range');
  }
  return p;
}

function formatDate(p: Parts): string {
  let out = String(p.y).padStart(4, '0');
  if (p.mo !== undefined) out += `-${pad(p.mo)}`;
  if (p.d !== undefined) out += `-${pad(p.d)}`;
  return out;
}

/** `+01`, `+0100` → `+01:00`. */
function formatOffset(offset: string): string {
  return `${offset.slice(0, 3)}:${offset.length > 3 ? offset.slice(3, 5) : '00'}`;
}

/** Offset of `zone` at the local wall time in `p`, via Intl (no tz database of our own). */
function zoneOffset(p: Parts, zone: string, value: string): string {
  if (zone === 'UTC' || zone === 'Etc/UTC') return '+00:00';
  const wall = Date.UTC(p.y, (p.mo ?? 1) - 1, p.d ?? 1, p.h ?? 0, p.mi ?? 0, p.s ?? 0);
  let minutes: number;
  try {
    // Two passes settle the offset near DST transitions: the first guess uses the offset at the
    // wall time read as UTC, the second the offset at the instant that guess implies.
    const first = offsetMinutes(zone, wall);
    minutes = offsetMinutes(zone, wall - first * 60_000);
  } catch {
    throw invalid(value, `cannot be placed in time zone '${zone}'`);
  }
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/**
 * Building an Intl.DateTimeFormat costs ~60 µs, far more than using one; formatters are immutable,
 * so this memo changes speed only, never results. Bounded: zones come from configuration.
 */
const FORMATTERS = new Map<string, Intl.DateTimeFormat>();
const MAX_FORMATTERS = 64;

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = FORMATTERS.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' });
    if (FORMATTERS.size >= MAX_FORMATTERS) FORMATTERS.clear();
    FORMATTERS.set(zone, f);
  }
  return f;
}

function offsetMinutes(zone: string, instant: number): number {
  const parts = formatterFor(zone).formatToParts(new Date(instant));
  const name = parts.find((x) => x.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(name);
  if (!m) return 0;
  const minutes = Number(m[2]) * 60 + Number(m[3]);
  return m[1] === '-' ? -minutes : minutes;
}

function daysInMonth(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function invalid(value: string, why: string): OperationOutcomeError {
  return new OperationOutcomeError(badRequest(`HL7 date/time '${value}' ${why}`));
}
