import type { Patient } from '@medplum/fhirtypes';
import { ERROR_CODES } from '../convert-issue.js';
import { MERGE_TAG } from '../entry-roles.js';
import { live, ref, segmentLocation, type Assembly } from './assembly.js';

/**
 * A40/A34 merges (HL7 v2.5.1 §3.3.40): PID is the surviving patient, MRG-1 the retired one.
 * Instead of overwriting, both are linked — survivor `replaces` retired, retired `replaced-by`
 * survivor (https://hl7.org/fhir/R4/patient.html#links) — and the retired record is marked
 * inactive; the identity layer decides what else to do with it.
 */
export function patientMerge(a: Assembly): void {
  const patients = live(a, 'Patient');
  const trigger = a.message.messageType.trigger;
  if (trigger !== 'A40' && trigger !== 'A39' && trigger !== 'A34' && trigger !== 'A30') {
    // A41/A42 (ADT_A39 structure) merge accounts and visits: the patient stays the same.
    for (const e of patients.filter((p) => p.segment.name === 'MRG')) e.dropped = true;
    a.issue('information', '0', 'MRG', `${trigger} merges accounts or visits; MRG is not mapped`);
    return;
  }
  for (const merged of patients.filter((e) => e.segment.name === 'MRG')) {
    const survivor = patients.filter((p) => p.segment.name === 'PID' && p.segment.index < merged.segment.index).pop();
    if (!survivor) continue;
    const old = merged.resource as Patient;
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
