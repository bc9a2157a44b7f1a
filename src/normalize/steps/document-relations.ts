import type { DocumentReference } from '@medplum/fhirtypes';
import { ERROR_CODES } from '../convert-issue.js';
import { deterministicId } from '../resource-ids.js';
import { live, segmentLocation, type Assembly } from './assembly.js';

/** MDM trigger → DocumentReference.relatesTo code for TXA-13, the parent document (v2.5.1 §9.5). */
const RELATION: Record<string, 'appends' | 'replaces'> = { T06: 'appends', T08: 'replaces', T10: 'replaces' };

/**
 * T06 addendum, T08 edit and T10 replacement name their parent in TXA-13: the new document
 * `relatesTo` it (appends / replaces), the target being the parent's deterministic id from the
 * same rule as TXA-12 (resource-ids `document`), so it resolves to the stored parent. TXA-19
 * availability (table 0050) CA cancelled → entered-in-error, OB obsolete → superseded; that covers
 * T04 status changes. No IG map exists for these triggers.
 */
export function documentRelations(a: Assembly): void {
  const code = RELATION[a.message.messageType.trigger];
  for (const e of live(a, 'DocumentReference')) {
    const doc = e.resource as DocumentReference;
    const txa = e.segment;
    const availability = txa.field(19).component(1).trim().toUpperCase();
    if (availability === 'CA') doc.status = 'entered-in-error';
    if (availability === 'OB') doc.status = 'superseded';
    if (!code) continue;
    const parent = txa.field(13);
    if (!parent.component(1)) {
      a.issue('warning', ERROR_CODES.requiredFieldMissing, `${segmentLocation(a.message, txa)}-13`, `${a.message.messageType.trigger} without a parent document number; relatesTo not set`);
      continue;
    }
    const target = deterministicId('DocumentReference', [parent.component(2), parent.component(1)]);
    if (target === doc.id) continue; // senders that keep TXA-12 on an edit: same document, new version
    doc.relatesTo = [{ code, target: { reference: `DocumentReference/${target}` } }];
  }
}
