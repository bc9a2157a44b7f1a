/**
 * Time helpers. Every facility sits in America/New_York; HL7 timestamps are written either with an
 * explicit offset or as bare local time (as many real interfaces do), while truth.json always holds
 * the true instant.
 */
export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 24 * HOUR;

const dstCache = new Map<number, [number, number]>();

function nthSundayUtc(year: number, month: number, n: number): number {
  const first = new Date(Date.UTC(year, month, 1)).getUTCDay();
  const day = 1 + ((7 - first) % 7) + (n - 1) * 7;
  return Date.UTC(year, month, day);
}

/** US rule since 2007: DST from 2nd Sunday of March 02:00 EST to 1st Sunday of November 02:00 EDT. */
function dstWindow(year: number): [number, number] {
  let w = dstCache.get(year);
  if (!w) {
    w = [nthSundayUtc(year, 2, 2) + 7 * HOUR, nthSundayUtc(year, 10, 1) + 6 * HOUR];
    dstCache.set(year, w);
  }
  return w;
}

/** UTC offset of America/New_York in minutes at an instant (-300 or -240). */
export function easternOffsetMinutes(utcMs: number): number {
  const [start, end] = dstWindow(new Date(utcMs).getUTCFullYear());
  return utcMs >= start && utcMs < end ? -240 : -300;
}

/** The instant of a wall-clock time in New York (the skipped/repeated DST hour resolves arbitrarily). */
export function localToUtc(year: number, month0: number, day: number, hour: number, minute = 0): number {
  const naive = Date.UTC(year, month0, day, hour, minute);
  return naive - easternOffsetMinutes(naive + 5 * HOUR) * MINUTE;
}

/** Local calendar date (y, m0, d) of an instant. */
export function localDate(utcMs: number): [number, number, number] {
  const d = new Date(utcMs + easternOffsetMinutes(utcMs) * MINUTE);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()];
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** HL7 v2 DTM to the second, local time, with `±HHMM` when withOffset. */
export function hl7Ts(utcMs: number, withOffset: boolean): string {
  const off = easternOffsetMinutes(utcMs);
  const d = new Date(utcMs + off * MINUTE);
  const base =
    `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
  if (!withOffset) return base;
  const a = Math.abs(off);
  return `${base}${off < 0 ? '-' : '+'}${pad(Math.floor(a / 60))}${pad(a % 60)}`;
}

export const iso = (utcMs: number): string => new Date(utcMs).toISOString();
