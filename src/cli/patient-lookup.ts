import type { Patient } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import { goldenOf } from '../identity/history.js';
import { ConfigError } from '../config/load-config.js';

/** `SYSTEM|VALUE` as a user types it on the command line. */
export function parseIdentifier(text: string): { system: string; value: string } | undefined {
  const bar = text.indexOf('|');
  if (bar < 0) return undefined;
  const system = text.slice(0, bar).trim();
  const value = text.slice(bar + 1).trim();
  if (!system || !value) throw new ConfigError(`invalid --patient "${text}": expected SYSTEM|VALUE with both parts, or a Patient id`);
  return { system, value };
}

/** True when the identifier is the record's own (its first, as PID-3's MR leads), not a cross-reference. */
export function ownsIdentifier(patient: Patient, system: string, value: string): boolean {
  const first = patient.identifier?.[0];
  return first?.system === system && first.value?.trim().toUpperCase() === value.trim().toUpperCase();
}

/**
 * The source Patient record an identifier names, from the master patient index (which keeps values
 * upper-cased and trimmed, as `$ihe-pix` compares them). A lab's message may carry the hospital's
 * number too, so the record whose own identifier it is comes first. Several records of one person
 * (one golden record) are one answer; records of different people are ambiguous and named.
 */
export async function sourceForIdentifier(db: Db, system: string, value: string): Promise<string> {
  const rows = await db
    .selectFrom('mpi_identifier as i')
    .innerJoin('mpi_source as s', 's.id', 'i.source_id')
    .select(['s.id', 's.resource'])
    .where('i.system', '=', system)
    .where('i.value', '=', value.trim().toUpperCase())
    .orderBy('s.id')
    .execute();
  if (rows.length === 0) {
    const systems = await db.selectFrom('mpi_identifier').select('system').distinct().orderBy('system').limit(20).execute();
    const known = systems.map((s) => s.system).join(', ') || '(none: the index is empty)';
    throw new ConfigError(`no patient has the identifier ${system}|${value}; identifier systems in the index: ${known}`);
  }
  const sources = rows.map((r) => r.id);
  const goldens = new Set(await Promise.all(sources.map(async (s) => (await goldenOf(db, s)) ?? `unlinked:${s}`)));
  if (goldens.size > 1) {
    throw new ConfigError(`the identifier ${system}|${value} is carried by ${sources.length} Patient records of different people (${sources.join(', ')}); pass --patient with one Patient id`);
  }
  const owner = rows.find((r) => ownsIdentifier(r.resource as unknown as Patient, system, value)) ?? rows[0];
  return owner?.id as string;
}
