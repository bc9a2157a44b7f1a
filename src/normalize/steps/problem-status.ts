import type { CodeableConcept, Condition } from '@medplum/fhirtypes';
import { rawToDateTime } from '../transforms/dtm-to-datetime.js';
import { live, stepContext, type Assembly } from './assembly.js';

const CLINICAL = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const VERIFICATION = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';
const concept = (system: string, code: string): CodeableConcept => ({ coding: [{ system, code }] });

/**
 * PPR problems (no IG map; v2.5.1 §12.4.2 PRB): PC3 or PRB-1 `DE` deletes the problem from the
 * list → verificationStatus entered-in-error and no clinicalStatus (FHIR con-5). Otherwise
 * clinicalStatus from PRB-14 life cycle status (ProblemLifeCycleStatus, code then text), else
 * resolved when PRB-9 gives a resolution date, else active (con-3 requires one for
 * problem-list-item); verificationStatus from PRB-13 (ProblemConfirmationStatus). Onset: PRB-16,
 * else PRB-17 as a date when it is one (v2.3.1 senders put it there), else as text.
 */
export function problemStatus(a: Assembly): void {
  const deleteTrigger = a.message.messageType.trigger === 'PC3';
  const life = a.mappings.vocabularies.get('ProblemLifeCycleStatus')?.codes ?? {};
  const confirm = a.mappings.vocabularies.get('ProblemConfirmationStatus')?.codes ?? {};
  for (const e of live(a, 'Condition')) {
    const c = e.resource as Condition;
    const prb = e.segment;
    const lookup = (n: number, codes: typeof life) => [prb.field(n).component(1), prb.field(n).component(2)].map((s) => codes[s.trim().toUpperCase()]).find(Boolean);
    if (deleteTrigger || prb.field(1).component(1).trim().toUpperCase() === 'DE') {
      c.verificationStatus = concept(VERIFICATION, 'entered-in-error');
      delete c.clinicalStatus;
    } else {
      const status = lookup(14, life)?.code ?? (c.abatementDateTime ? 'resolved' : 'active');
      // con-4: an abated condition cannot be active.
      c.clinicalStatus = concept(CLINICAL, c.abatementDateTime && ['active', 'recurrence', 'relapse'].includes(status) ? 'resolved' : status);
      const verified = lookup(13, confirm);
      if (verified) c.verificationStatus = concept(VERIFICATION, verified.code);
    }
    if (!c.onsetDateTime) {
      const text = prb.field(17).component(1).trim();
      if (/^\d{4,14}(?:[+-]\d{4})?$/.test(text)) {
        const at = rawToDateTime(text, stepContext(a, prb, 17));
        if (at) c.onsetDateTime = at;
      } else if (text) c.onsetString = text;
    }
  }
}
