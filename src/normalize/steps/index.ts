import type { MessageStep } from './assembly.js';
import { documentContent } from './document-content.js';
import { patientMerge } from './patient-merge.js';
import { imagingIdentifiers, joinTextObservations, observationCategory, reportText } from './report-steps.js';

export type { Assembly, AssembledEntry, MessageStep } from './assembly.js';

/** Message-level logic that is more than a lookup; message maps name these in `steps`. */
export const steps = {
  'join-text-observations': joinTextObservations,
  'report-text': reportText,
  'observation-category': observationCategory,
  'imaging-identifiers': imagingIdentifiers,
  'document-content': documentContent,
  'patient-merge': patientMerge,
} satisfies Record<string, MessageStep>;

export function isStepName(name: string): name is keyof typeof steps {
  return Object.hasOwn(steps, name);
}
