import type { Coding } from '@medplum/fhirtypes';

/**
 * meta.tag values telling the store how to apply an entry that is not a full, authoritative
 * snapshot. Plain entries (no tag) replace the stored resource (PUT).
 */
const SYSTEM = 'urn:sinew:hl7v2-entry-role';

/** PID/PV1 inside an ORU or MDM: create when missing, never overwrite what ADT said. */
export const CONTEXT_TAG = { system: SYSTEM, code: 'context', display: 'create if missing; do not overwrite' } as const satisfies Coding;

/** The retired Patient of an A40: create when missing, else only add its link and set active=false. */
export const MERGE_TAG = { system: SYSTEM, code: 'merge', display: 'create if missing; else add link and set active=false' } as const satisfies Coding;
