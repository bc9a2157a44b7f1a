/** MDM^T02 clinical notes: TXA-4 when written, TXA-22 when signed, OBX TX paragraphs. See: v2.5.1 ch. 9. */
import type { Rng } from '../random.js';
import { HOUR, MINUTE, iso } from '../time.js';
import { recordKey, sec, type PatientView, type SimContext } from '../context.js';
import { noteText } from '../clinical.js';
import { NOTE_TYPES, type NoteKind } from '../data/codes.js';
import { CLINICIANS } from '../data/names.js';
import { esc, evn, msh, pid, pv1, segAt } from '../segments.js';
import type { Draft, Facility } from '../types.js';

export function noteDraft(sim: SimContext, rng: Rng, p: PatientView, kind: NoteKind, writtenMs: number, dayOfStay: number): Draft {
  const t = NOTE_TYPES[kind];
  // Signing lags writing; discharge summaries are the slowest to be authenticated.
  const signedMs = sec(writtenMs + rng.real(0.1, kind === 'discharge' ? 24 : 12) * HOUR);
  const sentMs = sec(signedMs + rng.real(0, 5) * MINUTE);
  const facility = p.visit.facility as Facility;
  const [id, family, given] = rng.pick(CLINICIANS);
  const docId = `${facility[0]}D${sim.nextId('document')}`;
  const paragraphs = noteText(rng, kind, p.state, dayOfStay);
  const demographics = p.demographics;
  const visit = { ...p.visit };
  return sim.add(rng, {
    sentAtMs: sentMs,
    facility,
    type: 'MDM^T02',
    personId: p.personId,
    facts: [{ personId: p.personId, record: recordKey(p), facility, modality: 'notes', code: t.loinc, value: t.display, clinicalTime: iso(writtenMs) }],
    render: (ctx) => [
      msh(ctx, facility, 'MDM^T02', sentMs),
      evn(ctx, 'T02', sentMs, signedMs),
      pid(p.ids, demographics),
      pv1(ctx, visit),
      segAt('TXA', {
        1: 1, 2: t.txa, 3: 'TX', 4: ctx.ts(writtenMs), 5: `${id}^${family}^${given}`, 6: ctx.ts(writtenMs), 12: `${docId}^${facility}`,
        17: 'AU', 19: 'AV', 22: `${id}^${family}^${given}^^^^^^^^^^^^${ctx.ts(signedMs)}`,
      }),
      ...paragraphs.map((text, i) => segAt('OBX', { 1: i + 1, 2: 'TX', 3: `${t.loinc}^${t.display}^LN`, 5: esc(text), 11: 'F' })),
    ],
  });
}
