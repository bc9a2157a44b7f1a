/**
 * A FHIR date, dateTime or instant as the half-open interval it denotes: `2020` is all of 2020,
 * `2020-03-01T10:00:00Z` is one second. Search compares intervals, not points.
 * See: https://hl7.org/fhir/R4/search.html#date
 */
export interface DateRange {
  start: Date;
  /** Exclusive. */
  end: Date;
}

const DATE = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

/** Undefined when `value` is not a FHIR date/dateTime/instant. A time without an offset is read as UTC. */
export function dateRange(value: string): DateRange | undefined {
  const m = DATE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, hh, mi, ss, frac, tz] = m;
  const year = Number(y);
  if (mo === undefined) return utc(year, 0, 1, 0, 0, 0, 0, 'year');
  const month = Number(mo) - 1;
  if (month > 11) return undefined;
  if (d === undefined) return utc(year, month, 1, 0, 0, 0, 0, 'month');
  const day = Number(d);
  if (hh === undefined) return utc(year, month, day, 0, 0, 0, 0, 'day');
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  const unit = frac ? 'ms' : ss !== undefined ? 'second' : 'minute';
  const range = utc(year, month, day, Number(hh), Number(mi), Number(ss ?? 0), Math.floor(ms), unit);
  if (!range || !tz || tz === 'Z') return range;
  const sign = tz.startsWith('-') ? -1 : 1;
  const offsetMs = sign * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(4, 6))) * 60_000;
  return { start: new Date(range.start.getTime() - offsetMs), end: new Date(range.end.getTime() - offsetMs) };
}

type Unit = 'year' | 'month' | 'day' | 'minute' | 'second' | 'ms';

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, unit: Unit): DateRange | undefined {
  const start = new Date(Date.UTC(y, mo, d, h, mi, s, ms));
  if (start.getUTCMonth() !== mo || start.getUTCDate() !== d) return undefined; // 2021-02-30 and friends
  const end = new Date(start);
  if (unit === 'year') end.setUTCFullYear(y + 1);
  else if (unit === 'month') end.setUTCMonth(mo + 1);
  else if (unit === 'day') end.setUTCDate(d + 1);
  else end.setTime(start.getTime() + (unit === 'minute' ? 60_000 : unit === 'second' ? 1000 : 1));
  return { start, end };
}
