import type { Patient } from '@medplum/fhirtypes';
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import { sourceKeyColumns } from './blocking.sql.js';
import type { BulkPlan } from './bulk-link.js';
import { buildGoldenPatient, type GoldenSource, type SurvivorshipProfile } from './golden-record.js';

/**
 * Write a planned batch: sources, identifiers, term counts, goldens and links, each in one
 * multi-row statement fed by a single jsonb parameter (no per-row round trips, no bind limit).
 * Rows are what the one-at-a-time path would leave: a golden's version counts its rebuilds.
 */
export async function writePlan(db: Db, plan: BulkPlan, validAt: Date, recordedAt: Date, profile: SurvivorshipProfile, by?: string): Promise<void> {
  const valid = validAt.toISOString();
  const recorded = recordedAt.toISOString();
  const sources = plan.records.map((r) => ({ id: r.id, resource: r.patient, person: r.person, ...sourceKeyColumns(r.person), valid_at: valid, recorded_at: recorded }));
  if (sources.length) {
    await sql`
      INSERT INTO mpi_source (id, resource, person, given_first, family, given_phonetic, family_phonetic, given_initial, family_initial, birth_date, birth_year, postcode, phone, valid_at, recorded_at)
      SELECT id, resource, person, given_first, family, given_phonetic, family_phonetic, given_initial, family_initial, birth_date, birth_year, postcode, phone, valid_at, recorded_at
        FROM jsonb_to_recordset(${JSON.stringify(sources)}::jsonb) AS x(id text, resource jsonb, person jsonb, given_first text, family text, given_phonetic text,
             family_phonetic text, given_initial text, family_initial text, birth_date text, birth_year text, postcode text, phone text, valid_at timestamptz, recorded_at timestamptz)`.execute(db);
  }
  const identifiers = plan.records.flatMap((r) => [...new Map(r.person.identifiers.map((i) => [`${i.system}|${i.value}`, { system: i.system, value: i.value, source_id: r.id }])).values()]);
  if (identifiers.length) {
    await sql`INSERT INTO mpi_identifier (system, value, source_id) SELECT system, value, source_id FROM jsonb_to_recordset(${JSON.stringify(identifiers)}::jsonb) AS x(system text, value text, source_id text)`.execute(db);
  }
  const terms = [...plan.termDeltas]
    .map(([k, count]) => {
      const [comparison, term] = k.split('\u0001') as [string, string];
      return { comparison, term, count };
    })
    .sort((a, b) => (a.comparison < b.comparison ? -1 : a.comparison > b.comparison ? 1 : a.term < b.term ? -1 : a.term > b.term ? 1 : 0));
  if (terms.length) {
    await sql`
      INSERT INTO mpi_term_frequency (comparison, term, count)
      SELECT comparison, term, count FROM jsonb_to_recordset(${JSON.stringify(terms)}::jsonb) AS x(comparison text, term text, count integer)
      ON CONFLICT (comparison, term) DO UPDATE SET count = mpi_term_frequency.count + excluded.count`.execute(db);
  }
  await writeGoldens(db, plan, validAt, profile);
  const links = plan.links.map((l) => ({
    source_id: l.sourceId,
    golden_id: l.goldenId,
    other_golden_id: l.otherGoldenId ?? null,
    state: l.state,
    how: l.how,
    rule: l.rule,
    score: l.score ?? null,
    probability: l.probability ?? null,
    explanation: l.explanation ?? null,
    by: l.sourceId ? (by ?? null) : null,
    valid_from: valid,
    recorded_from: recorded,
  }));
  if (links.length) {
    await sql`
      INSERT INTO mpi_link (source_id, golden_id, other_golden_id, state, how, rule, score, probability, explanation, by, valid_from, recorded_from)
      SELECT j->>'source_id', j->>'golden_id', j->>'other_golden_id', j->>'state', j->>'how', j->>'rule', (j->>'score')::double precision,
             (j->>'probability')::double precision, NULLIF(j->'explanation', 'null'::jsonb), j->>'by', (j->>'valid_from')::timestamptz, (j->>'recorded_from')::timestamptz
        FROM jsonb_array_elements(${JSON.stringify(links)}::jsonb) WITH ORDINALITY AS x(j, n)
       ORDER BY n`.execute(db);
  }
}

/**
 * New goldens are inserted built; stored goldens that gained sources are rebuilt from all their
 * current MATCH sources (stored and new) and their version moves by the rebuilds they had.
 */
async function writeGoldens(db: Db, plan: BulkPlan, validAt: Date, profile: SurvivorshipProfile): Promise<void> {
  const byId = new Map(plan.records.map((r) => [r.id, r]));
  const batchSources = (goldenId: string): GoldenSource[] =>
    (plan.batchMembers.get(goldenId) ?? []).map((id) => ({ id, patient: (byId.get(id) as { patient: Patient }).patient, validAt }));
  const fresh = new Set(plan.newGoldens);
  const rows: { id: string; resource: Patient; version: number; active: boolean }[] = [];
  for (const id of plan.newGoldens) {
    const version = plan.rebuilds.get(id) ?? 0;
    const sources = batchSources(id);
    rows.push(sources.length ? { id, resource: buildGoldenPatient(id, sources, profile, version), version, active: true } : { id, resource: { resourceType: 'Patient', id, meta: { versionId: String(version) }, active: false }, version, active: false });
  }
  if (rows.length) {
    await sql`
      INSERT INTO mpi_golden (id, resource, version, active)
      SELECT id, resource, version, active FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(id text, resource jsonb, version integer, active boolean)`.execute(db);
  }

  const stored = [...plan.rebuilds.keys()].filter((g) => !fresh.has(g));
  if (!stored.length) return;
  const { rows: current } = await sql<{ golden_id: string; id: string; resource: Patient; valid_at: Date }>`
    SELECT l.golden_id, s.id, s.resource, s.valid_at FROM mpi_link l JOIN mpi_source s ON s.id = l.source_id
     WHERE l.golden_id = ANY(${stored}::text[]) AND l.state = 'MATCH' AND l.recorded_to IS NULL AND l.valid_to IS NULL`.execute(db);
  const { rows: versions } = await sql<{ id: string; version: number }>`SELECT id, version FROM mpi_golden WHERE id = ANY(${stored}::text[])`.execute(db);
  const sourcesOf = new Map<string, GoldenSource[]>();
  for (const r of current) sourcesOf.set(r.golden_id, [...(sourcesOf.get(r.golden_id) ?? []), { id: r.id, patient: r.resource, validAt: new Date(r.valid_at) }]);
  const updates = versions.map((v) => {
    const version = v.version + (plan.rebuilds.get(v.id) ?? 0);
    const sources = [...(sourcesOf.get(v.id) ?? []), ...batchSources(v.id)];
    const resource: Patient = sources.length ? buildGoldenPatient(v.id, sources, profile, version) : { resourceType: 'Patient', id: v.id, meta: { versionId: String(version) }, active: false };
    return { id: v.id, resource, version, active: sources.length > 0 };
  });
  await sql`
    UPDATE mpi_golden g SET resource = x.resource, version = x.version, active = x.active, merged_into = CASE WHEN x.active THEN NULL ELSE g.merged_into END, updated_at = now()
      FROM jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) AS x(id text, resource jsonb, version integer, active boolean)
     WHERE g.id = x.id`.execute(db);
}
