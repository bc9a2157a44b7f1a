/**
 * ISO-8601 durations restricted to exact units (weeks, days, hours, minutes, seconds). Years and
 * months are rejected because their length depends on the calendar, and a window must mean the
 * same span for every index time. A day is 24 h (UTC; daylight-saving shifts are ignored).
 * See: ISO 8601-1:2019 §5.5.2, https://hl7.org/fhir/R4/datatypes.html#dateTime
 */
const DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000] as const;

export type DurationResult = { ok: true; ms: number } | { ok: false; message: string };

export function parseDuration(text: string): DurationResult {
  if (text.startsWith('-')) return { ok: false, message: `negative duration "${text}" is not allowed` };
  if (/^P(\d+Y|\d+M)/.test(text) || /^P[^T]*\d+[YM]/.test(text)) {
    return { ok: false, message: `"${text}" uses years or months, whose length varies; use days (e.g. P30D)` };
  }
  const m = DURATION.exec(text);
  if (!m || text === 'P' || text.endsWith('T')) {
    return { ok: false, message: `"${text}" is not an ISO-8601 duration such as PT72H or P30D` };
  }
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * UNIT_MS[i];
  }
  return { ok: true, ms: Math.round(ms) };
}

/** Parse a duration that was already validated; throws on programmer error only. */
export function durationMs(text: string): number {
  const r = parseDuration(text);
  if (!r.ok) throw new Error(r.message);
  return r.ms;
}
