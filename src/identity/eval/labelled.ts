import type { Patient } from '@medplum/fhirtypes';

/** A source Patient as production would receive it, plus the answer key kept beside it. */
export interface LabelledPatient {
  patient: Patient;
  /** True person id; never part of the Patient. */
  truth: string;
}
