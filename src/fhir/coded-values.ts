import { z } from 'zod';

/**
 * Required-binding codes that medplum's validateResource does not check (notes/packages.md §2.3:
 * `gender:'xx'`, `Observation.status:'bogus'` and `id:'bad id!'` all pass it). Value sets from FHIR R4.
 */
export const GENDERS = ['male', 'female', 'other', 'unknown'] as const;
export const OBSERVATION_STATUSES = ['registered', 'preliminary', 'final', 'amended', 'corrected', 'cancelled', 'entered-in-error', 'unknown'] as const;
export const ENCOUNTER_STATUSES = ['planned', 'arrived', 'triaged', 'in-progress', 'onleave', 'finished', 'cancelled', 'entered-in-error', 'unknown'] as const;
export const REPORT_STATUSES = ['registered', 'partial', 'preliminary', 'final', 'amended', 'corrected', 'appended', 'cancelled', 'entered-in-error', 'unknown'] as const;
export const DOCUMENT_STATUSES = ['current', 'superseded', 'entered-in-error'] as const;
export const MEDICATION_REQUEST_STATUSES = ['active', 'on-hold', 'cancelled', 'completed', 'entered-in-error', 'stopped', 'draft', 'unknown'] as const;
export const MEDICATION_REQUEST_INTENTS = ['proposal', 'plan', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option'] as const;
export const CONDITION_CLINICAL = ['active', 'recurrence', 'relapse', 'inactive', 'remission', 'resolved'] as const;
export const CONDITION_VERIFICATION = ['unconfirmed', 'provisional', 'differential', 'confirmed', 'refuted', 'entered-in-error'] as const;
export const IMAGING_STUDY_STATUSES = ['registered', 'available', 'cancelled', 'entered-in-error', 'unknown'] as const;
export const REQUEST_STATUSES = ['draft', 'active', 'on-hold', 'revoked', 'completed', 'entered-in-error', 'unknown'] as const;
export const REQUEST_INTENTS = ['proposal', 'plan', 'directive', 'order', 'original-order', 'reflex-order', 'filler-order', 'instance-order', 'option'] as const;
export const LINK_TYPES = ['replaced-by', 'replaces', 'refer', 'seealso'] as const;
export const COMPOSITION_STATUSES = ['preliminary', 'final', 'amended', 'entered-in-error'] as const;
export const LOCATION_STATUSES = ['planned', 'active', 'reserved', 'completed'] as const;
export const CRITICALITIES = ['low', 'high', 'unable-to-assess'] as const;
export const ALLERGY_CATEGORIES = ['food', 'medication', 'environment', 'biologic'] as const;
export const DISPENSE_STATUSES = ['preparation', 'in-progress', 'cancelled', 'on-hold', 'completed', 'entered-in-error', 'stopped', 'declined', 'unknown'] as const;
export const ADMINISTRATION_STATUSES = ['in-progress', 'not-done', 'on-hold', 'completed', 'entered-in-error', 'stopped', 'unknown'] as const;
export const IMMUNIZATION_STATUSES = ['completed', 'entered-in-error', 'not-done'] as const;
export const APPOINTMENT_STATUSES = ['proposed', 'pending', 'booked', 'arrived', 'fulfilled', 'cancelled', 'noshow', 'entered-in-error', 'checked-in', 'waitlist'] as const;
export const PARTICIPATION_STATUSES = ['accepted', 'declined', 'tentative', 'needs-action'] as const;

const CONDITION_CLINICAL_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const CONDITION_VERIFICATION_SYSTEM = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/** https://hl7.org/fhir/R4/datatypes.html#id */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;
const id = z.string().regex(FHIR_ID, 'is not a FHIR id ([A-Za-z0-9-.]{1,64})').optional();

/** A required-binding CodeableConcept: a coding in `system` must carry one of `codes`. */
function boundConcept(system: string, codes: readonly string[]) {
  const coding = z.object({ system: z.string().optional(), code: z.string().optional() });
  return z
    .object({ coding: z.array(coding).optional() })
    .refine((cc) => (cc.coding ?? []).every((c) => c.system !== system || (c.code !== undefined && codes.includes(c.code))), {
      message: `has a ${system} code outside ${codes.join(' | ')}`,
    })
    .optional();
}

export const codedValueSchemas: Readonly<Record<string, z.ZodType>> = {
  Patient: z.object({ id, gender: z.enum(GENDERS).optional(), link: z.array(z.object({ type: z.enum(LINK_TYPES) })).optional() }),
  RelatedPerson: z.object({ id, gender: z.enum(GENDERS).optional() }),
  Observation: z.object({ id, status: z.enum(OBSERVATION_STATUSES) }),
  Encounter: z.object({ id, status: z.enum(ENCOUNTER_STATUSES), location: z.array(z.object({ status: z.enum(LOCATION_STATUSES).optional() })).optional() }),
  DiagnosticReport: z.object({ id, status: z.enum(REPORT_STATUSES) }),
  DocumentReference: z.object({ id, status: z.enum(DOCUMENT_STATUSES), docStatus: z.enum(COMPOSITION_STATUSES).optional() }),
  AllergyIntolerance: z.object({ id, criticality: z.enum(CRITICALITIES).optional(), category: z.array(z.enum(ALLERGY_CATEGORIES)).optional() }),
  MedicationRequest: z.object({ id, status: z.enum(MEDICATION_REQUEST_STATUSES), intent: z.enum(MEDICATION_REQUEST_INTENTS) }),
  MedicationDispense: z.object({ id, status: z.enum(DISPENSE_STATUSES) }),
  MedicationAdministration: z.object({ id, status: z.enum(ADMINISTRATION_STATUSES) }),
  Immunization: z.object({ id, status: z.enum(IMMUNIZATION_STATUSES) }),
  Condition: z.object({
    id,
    clinicalStatus: boundConcept(CONDITION_CLINICAL_SYSTEM, CONDITION_CLINICAL),
    verificationStatus: boundConcept(CONDITION_VERIFICATION_SYSTEM, CONDITION_VERIFICATION),
  }),
  ImagingStudy: z.object({ id, status: z.enum(IMAGING_STUDY_STATUSES) }),
  ServiceRequest: z.object({ id, status: z.enum(REQUEST_STATUSES), intent: z.enum(REQUEST_INTENTS) }),
  // participant is 1..* (medplum reports its absence); only the codes of those present are checked here.
  Appointment: z.object({ id, status: z.enum(APPOINTMENT_STATUSES), participant: z.array(z.object({ status: z.enum(PARTICIPATION_STATUSES) })).optional() }),
};

/** Every other type still gets the id check. */
export const idOnlySchema: z.ZodType = z.object({ id });
