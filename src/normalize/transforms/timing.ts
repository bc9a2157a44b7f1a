import type { Timing } from '@medplum/fhirtypes';

type Repeat = NonNullable<Timing['repeat']>;

/** Table 0335 repeat patterns with a fixed meaning; `Q<n>H`/`Q<n>D`/`Q<n>M` are parsed. */
const FIXED: Record<string, Repeat> = {
  QD: { frequency: 1, period: 1, periodUnit: 'd' },
  BID: { frequency: 2, period: 1, periodUnit: 'd' },
  TID: { frequency: 3, period: 1, periodUnit: 'd' },
  QID: { frequency: 4, period: 1, periodUnit: 'd' },
  QOD: { frequency: 1, period: 2, periodUnit: 'd' },
  QAM: { frequency: 1, period: 1, periodUnit: 'd', when: ['MORN'] },
  QPM: { frequency: 1, period: 1, periodUnit: 'd', when: ['EVE'] },
  QHS: { frequency: 1, period: 1, periodUnit: 'd', when: ['HS'] },
};
const UNITS: Record<string, Repeat['periodUnit']> = { S: 's', M: 'min', H: 'h', D: 'd', W: 'wk', L: 'mo' };

/**
 * HL7 repeat pattern (TQ1-3.1 / TQ-2.1, table 0335) → Timing: the v2 code is kept as
 * `Timing.code` (text and coding in v2-0335) so nothing is lost; `repeat` is added when the
 * pattern has a fixed meaning (Q8H → every 8 h). PRN and site-specific codes get no `repeat`.
 * The IG's TQ1[MedicationRequest] map is "Under Construction"; this is Sinew's.
 */
export function repeatPatternToTiming(pattern: string): Timing | undefined {
  const code = pattern.trim().toUpperCase();
  if (!code) return undefined;
  const q = /^Q(\d+)([SMHDWL])$/.exec(code);
  const repeat = FIXED[code] ?? (q ? { frequency: 1, period: Number(q[1]), periodUnit: UNITS[q[2]!] } : undefined);
  return {
    ...(repeat ? { repeat: { ...repeat } } : {}),
    code: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0335', code }], text: pattern.trim() },
  };
}

/** Adds minutes to a FHIR dateTime with a time and an offset, keeping the offset (no date library). */
export function addMinutes(dateTime: string, minutes: number): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(dateTime);
  if (!m || !Number.isFinite(minutes)) return undefined;
  const offset = m[7] === 'Z' ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  const local = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +(m[6] ?? 0)) + minutes * 60_000;
  const d = new Date(local);
  const pad = (n: number) => String(n).padStart(2, '0');
  const zone = m[7] === 'Z' ? 'Z' : m[7]!;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${zone === 'Z' && offset === 0 ? '+00:00' : zone}`;
}

/** Appointment.start/end are instants: a minute-precision dateTime (`…T10:00-04:00`) gets `:00` seconds. */
export function toInstant(dateTime: string): string {
  return dateTime.replace(/T(\d{2}:\d{2})(Z|[+-]\d{2}:\d{2})$/, 'T$1:00$2');
}
