import type { Identifier, Patient } from '@medplum/fhirtypes';
import { ERROR_CODES } from '../convert-issue.js';
import { MERGE_TAG } from '../entry-roles.js';
import { rawToDateTime } from '../transforms/dtm-to-datetime.js';
import { live, ref, segmentLocation, stepContext, type Assembly } from './assembly.js';

/** Merges of two patient records (survivor `replaces` retired). */
const MERGES = new Set(['A40', 'A39', 'A34', 'A30', 'A47']);
/** Identifier changes and id-only merges: the survivor keeps MRG-1 as an `old` identifier (history). */
const ID_HISTORY = new Set(['A34', 'A47']);

/**
 * A40/A34 merges (HL7 v2.5.1 §3.3.40): PID is the surviving patient, MRG-1 the retired one.
 * Instead of overwriting, both are linked — survivor `replaces` retired, retired `replaced-by`
 * survivor (https://hl7.org/fhir/R4/patient.html#links) — and the retired record is marked
 * inactive; the identity layer decides what else to do with it. A34 (merge, id only) and A47
 * (change identifier, v2.5.1 §3.3.47) also keep MRG-1 on the survivor with use `old` and
 * period.end = EVN-6/EVN-2 (the identifier history); when an A47 changes an identifier that is not
 * the one the Patient id comes from, there is no second record: only the history is added.
 */
export function patientMerge(a: Assembly): void {
  const patients = live(a, 'Patient');
  const trigger = a.message.messageType.trigger;
  if (!MERGES.has(trigger)) {
    // A41/A42 (ADT_A39 structure) merge accounts and visits: the patient stays the same.
    for (const e of patients.filter((p) => p.segment.name === 'MRG')) e.dropped = true;
    a.issue('information', '0', 'MRG', `${trigger} merges accounts or visits; MRG is not mapped`);
    return;
  }
  for (const merged of patients.filter((e) => e.segment.name === 'MRG')) {
    const survivor = patients.filter((p) => p.segment.name === 'PID' && p.segment.index < merged.segment.index).pop();
    if (!survivor) continue;
    const old = merged.resource as Patient;
    if (ID_HISTORY.has(trigger)) addHistory(a, survivor.resource as Patient, old.identifier ?? []);
    if (trigger === 'A47' && (old.id === survivor.resource.id || !sharesKeyKind(survivor.resource as Patient, old))) {
      merged.dropped = true;
      continue;
    }
    if (old.id === survivor.resource.id) {
      a.issue('error', ERROR_CODES.dataType, `${segmentLocation(a.message, merged.segment)}-1`, 'MRG-1 names the surviving patient itself');
      merged.dropped = true;
      continue;
    }
    old.active = false;
    old.meta = { tag: [MERGE_TAG] };
    old.link = [{ other: ref(survivor.resource), type: 'replaced-by' }];
    const s = survivor.resource as Patient;
    s.link = [...(s.link ?? []), { other: ref(merged.resource), type: 'replaces' }];
  }
}

function addHistory(a: Assembly, survivor: Patient, old: Identifier[]): void {
  const evn = a.message.segment('EVN');
  const n = evn?.field(6).component(1) ? 6 : 2;
  const end = evn?.field(n).component(1) ? rawToDateTime(evn.field(n).component(1), stepContext(a, evn, n)) : undefined;
  const ids = survivor.identifier ?? [];
  for (const id of old) {
    if (ids.some((i) => i.value === id.value && i.system === id.system)) continue;
    ids.push({ ...structuredClone(id), use: 'old', ...(end ? { period: { end } } : {}) });
  }
  survivor.identifier = ids;
}

/**
 * An A47 that changes an identifier of another kind (MRG-1 holds no identifier with the system and
 * type of the one the Patient id comes from, e.g. a state PI beside the MRN) changes the record, it
 * does not name a second one.
 */
function sharesKeyKind(survivor: Patient, old: Patient): boolean {
  const ids = survivor.identifier ?? [];
  const key = ids.find((i) => i.type?.coding?.[0]?.code === 'MR') ?? ids[0];
  const kind = (i: Identifier) => `${i.system ?? ''}|${i.type?.coding?.[0]?.code ?? ''}`;
  return !!key && (old.identifier ?? []).some((i) => kind(i) === kind(key));
}
