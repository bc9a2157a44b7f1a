import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import type { ResourceSource } from '../db/tables/fhir-resource.table.js';
import { putResource, putResources, readReferences, readResource } from '../fhir/resource.repository.js';
import { CONTEXT_TAG, MERGE_TAG } from '../normalize/index.js';

export interface AppliedEntry {
  resource: Resource;
  versionId: string;
  changed: boolean;
  previous?: Resource;
}

/**
 * Stores one mapped resource as its entry role asks (src/normalize/entry-roles.ts): a plain entry
 * replaces, a `context` copy (PID/PV1 inside a result) never overwrites what ADT said, a `merge`
 * entry only retires the patient it names. The role tag is an instruction, not data: it is removed.
 */
export async function applyEntry(trx: Db, resource: Resource, source: ResourceSource): Promise<AppliedEntry | undefined> {
  const role = roleOf(resource);
  const clean = stripRole(resource);
  if (!role) return putResource(trx, clean, { source });
  const target = decide(role, clean, await readCurrent(trx, clean));
  return target ? putResource(trx, target, { source }) : undefined;
}

/**
 * `applyEntry` for every entry of one source, with the same outcome as applying them one after
 * another, in a few round trips whatever their number: one read of the current versions the roles
 * need, then one `putResources`. Results are in input order; undefined where a role skipped the entry.
 */
export async function applyEntries(trx: Db, resources: readonly Resource[], source: ResourceSource): Promise<(AppliedEntry | undefined)[]> {
  const keys = resources.map((r) => `${r.resourceType}/${r.id as string}`);
  if (resources.some((r) => !r.id) || new Set(keys).size !== keys.length) {
    // A resource named twice (or one without an id yet): each entry must see what the one before it stored.
    const out: (AppliedEntry | undefined)[] = [];
    for (const r of resources) out.push(await applyEntry(trx, r, source));
    return out;
  }
  const roles = resources.map(roleOf);
  const needCurrent = keys.filter((_, i) => roles[i]);
  const current = new Map((needCurrent.length ? await readReferences(trx, needCurrent) : []).map((r) => [`${r.resourceType}/${r.id as string}`, r]));
  const puts: Resource[] = [];
  const slots = resources.map((r, i) => {
    const role = roles[i];
    const clean = stripRole(r);
    const target = role ? decide(role, clean, current.get(keys[i] as string)) : clean;
    if (!target) return undefined;
    puts.push(target);
    return puts.length - 1;
  });
  const stored = await putResources(trx, puts, { source });
  return slots.map((slot) => (slot === undefined ? undefined : stored[slot]));
}

function roleOf(resource: Resource): string | undefined {
  return resource.meta?.tag?.find((t) => t.system === CONTEXT_TAG.system)?.code;
}

/** What to store for a role-tagged entry given the current version; undefined to store nothing. */
function decide(role: string, clean: Resource, current: Resource | undefined): Resource | undefined {
  if (!current) return clean;
  if (role === CONTEXT_TAG.code) return undefined;
  if (role === MERGE_TAG.code && clean.resourceType === 'Patient') {
    const existing = current as Patient;
    const links = [...(existing.link ?? [])];
    for (const l of (clean as Patient).link ?? []) {
      if (!links.some((x) => x.type === l.type && x.other.reference === l.other.reference)) links.push(l);
    }
    return { ...existing, active: false, link: links };
  }
  throw new Error(`unknown entry role ${role}`);
}

function stripRole<T extends Resource>(resource: T): T {
  const tags = resource.meta?.tag?.filter((t) => t.system !== CONTEXT_TAG.system);
  const meta = { ...resource.meta, tag: tags?.length ? tags : undefined };
  if (!meta.tag) delete meta.tag;
  return { ...resource, meta: Object.keys(meta).length ? meta : undefined } as T;
}

async function readCurrent(trx: Db, resource: Resource): Promise<Resource | undefined> {
  try {
    return await readResource(trx, resource.resourceType, resource.id as string);
  } catch {
    return undefined; // not found or deleted: the entry creates it
  }
}
