import type { MessageStep } from './assembly.js';
import { appointmentDetails } from './appointment-details.js';
import { documentContent } from './document-content.js';
import { documentRelations } from './document-relations.js';
import { cancelDischarge, cancelTransfer, classChange, personOnly } from './encounter-events.js';
import { imagingOrder, imagingStudyLinks } from './imaging-study.js';
import { dispensePrescription } from './medication-links.js';
import { patientMerge } from './patient-merge.js';
import { pharmacyDosage } from './pharmacy-dosage.js';
import { problemStatus } from './problem-status.js';
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
  'document-relations': documentRelations,
  'cancel-transfer': cancelTransfer,
  'cancel-discharge': cancelDischarge,
  'class-change': classChange,
  'person-only': personOnly,
  'imaging-order': imagingOrder,
  'imaging-study-links': imagingStudyLinks,
  'pharmacy-dosage': pharmacyDosage,
  'problem-status': problemStatus,
  'appointment-details': appointmentDetails,
  'dispense-prescription': dispensePrescription,
} satisfies Record<string, MessageStep>;

export function isStepName(name: string): name is keyof typeof steps {
  return Object.hasOwn(steps, name);
}
