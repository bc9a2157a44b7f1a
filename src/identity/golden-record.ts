import { readFileSync } from 'node:fs';
import type { Extension, Identifier, Patient } from '@medplum/fhirtypes';
import { z } from 'zod';

export const SURVIVORSHIP_STRATEGIES = ['most-trusted', 'most-recent', 'most-complete', 'union'] as const;
export type SurvivorshipStrategy = (typeof SURVIVORSHIP_STRATEGIES)[number];
const strategy = z.enum(SURVIVORSHIP_STRATEGIES);

export const SURVIVED_ELEMENTS = ['name', 'gender', 'birthDate', 'deceased', 'address', 'telecom', 'maritalStatus', 'communication', 'birthPlace', 'identifier'] as const;
export type SurvivedElement = (typeof SURVIVED_ELEMENTS)[number];

export const survivorshipSchema = z.object({
  description: z.string().optional(),
  defaultTrust: z.number().min(0).max(100),
  authorities: z.array(z.object({ system: z.string().min(1), name: z.string().optional(), trust: z.number().min(0).max(100), unique: z.boolean().default(false) })),
  elements: z.object(Object.fromEntries(SURVIVED_ELEMENTS.map((e) => [e, strategy.optional()])) as Record<SurvivedElement, z.ZodOptional<typeof strategy>>),
});
export type SurvivorshipProfile = z.infer<typeof survivorshipSchema>;

/** Used when no profile file is given: trusted demographics, recent contact details, all identifiers. */
export const DEFAULT_SURVIVORSHIP: SurvivorshipProfile = Object.freeze({
  defaultTrust: 50,
  authorities: [],
  elements: { name: 'most-trusted', gender: 'most-trusted', birthDate: 'most-trusted', address: 'most-recent', telecom: 'most-recent', identifier: 'union' },
}) as SurvivorshipProfile;

export function loadSurvivorship(file: string): SurvivorshipProfile {
  const parsed = survivorshipSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`);
    throw new Error(issues.join('; '));
  }
  return Object.freeze(parsed.data);
}

/** Identifier systems declared unique: they link outright and never sit on two golden records. */
export function uniqueSystems(profile: SurvivorshipProfile): ReadonlySet<string> {
  return new Set(profile.authorities.filter((a) => a.unique).map((a) => a.system));
}

/** Trust of a source = the highest trust among its identifiers' assigning authorities. */
export function trustOf(patient: Patient, profile: SurvivorshipProfile): number {
  const bySystem = new Map(profile.authorities.map((a) => [a.system, a.trust]));
  const trusts = (patient.identifier ?? []).map((i) => (i.system ? bySystem.get(i.system) : undefined)).filter((t): t is number => t !== undefined);
  return trusts.length ? Math.max(...trusts) : profile.defaultTrust;
}

export interface GoldenSource {
  id: string;
  patient: Patient;
  /** Valid time of the source's latest version: "most recent" compares these. */
  validAt: Date;
}

/** Tag that marks a Patient as a golden record of the index (HAPI MDM tags its golden resources too). */
export const GOLDEN_TAG = { system: 'https://sinew.dev/fhir/CodeSystem/mpi', code: 'GOLDEN', display: 'Golden record of the master patient index' } as const;
const BIRTH_PLACE_URL = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';

type Picker = (p: Patient) => unknown;
const PICKERS: Record<Exclude<SurvivedElement, 'identifier' | 'deceased' | 'birthPlace'>, Picker> = {
  name: (p) => p.name,
  gender: (p) => p.gender,
  birthDate: (p) => p.birthDate,
  address: (p) => p.address,
  telecom: (p) => p.telecom,
  maritalStatus: (p) => p.maritalStatus,
  communication: (p) => p.communication,
};

const SCALARS: ReadonlySet<string> = new Set(['gender', 'birthDate', 'maritalStatus']);
const filled = (v: unknown) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '';
const completeness = (v: unknown) => JSON.stringify(v ?? '').replace(/[^A-Za-z0-9]/g, '').length;

/** Sources ordered best first for one strategy; ties broken by trust, recency, then id for stability. */
function rank(sources: readonly (GoldenSource & { trust: number })[], s: SurvivorshipStrategy, value: (p: Patient) => unknown) {
  const withValue = sources.filter((x) => filled(value(x.patient)));
  const byTrust = (a: { trust: number }, b: { trust: number }) => b.trust - a.trust;
  const byTime = (a: GoldenSource, b: GoldenSource) => b.validAt.getTime() - a.validAt.getTime();
  return [...withValue].sort((a, b) => {
    const primary = s === 'most-recent' ? byTime(a, b) : s === 'most-complete' ? completeness(value(b.patient)) - completeness(value(a.patient)) : byTrust(a, b);
    return primary || byTrust(a, b) || byTime(a, b) || a.id.localeCompare(b.id);
  });
}

function union<T>(values: T[]): T[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = JSON.stringify(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Build the golden Patient from its current MATCH sources by survivorship: per element the most
 * recent, most trusted or most complete source wins, identifiers are the union. Pure; inputs are
 * not mutated. The result links to every source with `seealso` and carries GOLDEN_TAG.
 * See: https://hl7.org/fhir/R4/patient.html#links
 */
export function buildGoldenPatient(goldenId: string, sources: readonly GoldenSource[], profile: SurvivorshipProfile, versionId: number): Patient {
  const ranked = sources.map((s) => ({ ...s, trust: trustOf(s.patient, profile) }));
  const strategyOf = (e: SurvivedElement): SurvivorshipStrategy => profile.elements[e] ?? 'most-trusted';
  const golden: Patient = {
    resourceType: 'Patient',
    id: goldenId,
    meta: { versionId: String(versionId), tag: [{ ...GOLDEN_TAG }] },
    active: true,
  };
  const out = golden as unknown as Record<string, unknown>;
  for (const [element, pick] of Object.entries(PICKERS) as [keyof typeof PICKERS, Picker][]) {
    const s = strategyOf(element);
    if (s === 'union') {
      const all = union(ranked.flatMap((x) => [pick(x.patient)].flat().filter(filled)));
      // A scalar element cannot hold a union: the best-trusted value stands for it.
      if (all.length) out[element] = SCALARS.has(element) ? all[0] : all;
      continue;
    }
    const best = rank(ranked, s, pick)[0];
    if (best) out[element] = structuredClone(pick(best.patient));
  }
  const deceased = rank(ranked, strategyOf('deceased'), (p) => p.deceasedDateTime ?? p.deceasedBoolean)[0];
  if (deceased?.patient.deceasedDateTime) golden.deceasedDateTime = deceased.patient.deceasedDateTime;
  else if (deceased?.patient.deceasedBoolean !== undefined) golden.deceasedBoolean = deceased.patient.deceasedBoolean;
  const birthPlaceOf = (p: Patient) => p.extension?.find((e) => e.url === BIRTH_PLACE_URL);
  const birthPlace = rank(ranked, strategyOf('birthPlace'), birthPlaceOf)[0];
  if (birthPlace) golden.extension = [structuredClone(birthPlaceOf(birthPlace.patient) as Extension)];
  const identifiers = union(
    rank(ranked, 'most-trusted', (p) => p.identifier).flatMap((x) => (x.patient.identifier ?? []).map((i): Identifier => ({ ...(i.use ? { use: i.use } : {}), ...(i.type ? { type: i.type } : {}), system: i.system, value: i.value }))),
  );
  if (identifiers.length) golden.identifier = identifiers;
  golden.link = [...sources].sort((a, b) => a.id.localeCompare(b.id)).map((s) => ({ other: { reference: `Patient/${s.id}` }, type: 'seealso' as const }));
  return golden;
}
