import type { Patient, Resource } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import type { ResourceSource } from '../db/tables/fhir-resource.table.js';
import { putResource, readResource } from '../fhir/resource.repository.js';
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
  const role = resource.meta?.tag?.find((t) => t.system === CONTEXT_TAG.system)?.code;
  const clean = stripRole(resource);
  if (!role) return putResource(trx, clean, { source });
  const current = await readCurrent(trx, clean);
  if (!current) return putResource(trx, clean, { source });
  if (role === CONTEXT_TAG.code) return undefined;
  if (role === MERGE_TAG.code && clean.resourceType === 'Patient') {
    const existing = current as Patient;
    const links = [...(existing.link ?? [])];
    for (const l of (clean as Patient).link ?? []) {
      if (!links.some((x) => x.type === l.type && x.other.reference === l.other.reference)) links.push(l);
    }
    return putResource(trx, { ...existing, active: false, link: links }, { source });
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
