import { rxaAdministrationStatus, rxaImmunizationStatus, rxaPrimarySource } from './administration-status.js';
import { appointmentStatus } from './appointment-status.js';
import { cweToCoding, cweToDicomModality, cweToReference, xcnToAdministeringPerformer, xcnToPerformer } from './coding-and-references.js';
import { cweToCodeableConcept } from './cwe-to-codeableconcept.js';
import { cxToIdentifier } from './cx-to-identifier.js';
import { dtToDate, dtmToDateTime, dtmToInstant } from './dtm-to-datetime.js';
import { encounterStatus } from './encounter-status.js';
import { obxInterpretation, obxReferenceRange } from './obx-interpretation.js';
import { eipToIdentifiers, nmToUnsignedInt, schDurationMinutes } from './numbers.js';
import { obxValue } from './obx-value.js';
import { accessionIdentifier, dicomUidIdentifier, obrFillerIdentifier, obrPlacerIdentifier } from './order-identifiers.js';
import { orcToMedicationStatus, orcToRequestStatus } from './order-status.js';
import { rxaDoseQuantity, rxdQuantity, rxeDispenseQuantity, rxeDoseQuantity } from './quantities.js';
import {
  eiToFillerIdentifier, eiToIdentifier, eiToPlacerIdentifier, fieldText, plToEncounterLocation, plToPriorLocation, stToString, stToTextConcept,
  xcnToAdmitter, xcnToAttender, xcnToConsultant, xcnToReference, xcnToReferrer,
} from './simple.js';
import type { Transform } from './transform.js';
import { vocabularyCode, vocabularyCoding, vocabularyConcept } from './vocabulary.js';
import { xadToAddress } from './xad-to-address.js';
import { xpnToHumanName } from './xpn-to-humanname.js';
import { xtnToContactPoint } from './xtn-to-contactpoint.js';

export type { Transform, TransformContext } from './transform.js';

/** Every transform a mapping file may name; load-mappings rejects any other name. */
export const transforms = {
  'xpn-to-humanname': xpnToHumanName,
  'cx-to-identifier': cxToIdentifier,
  'xad-to-address': xadToAddress,
  'xtn-to-contactpoint': xtnToContactPoint,
  'cwe-to-codeableconcept': cweToCodeableConcept,
  'dtm-to-datetime': dtmToDateTime,
  'dtm-to-instant': dtmToInstant,
  'dt-to-date': dtToDate,
  'ei-to-identifier': eiToIdentifier,
  'ei-to-placer-identifier': eiToPlacerIdentifier,
  'ei-to-filler-identifier': eiToFillerIdentifier,
  'xcn-to-reference': xcnToReference,
  'xcn-to-attender': xcnToAttender,
  'xcn-to-referrer': xcnToReferrer,
  'xcn-to-consultant': xcnToConsultant,
  'xcn-to-admitter': xcnToAdmitter,
  'st-to-text-concept': stToTextConcept,
  'pl-to-encounter-location': plToEncounterLocation,
  'pl-to-prior-location': plToPriorLocation,
  'st-to-string': stToString,
  'field-text': fieldText,
  'vocabulary-code': vocabularyCode,
  'vocabulary-coding': vocabularyCoding,
  'vocabulary-concept': vocabularyConcept,
  'obx-value': obxValue,
  'obx-interpretation': obxInterpretation,
  'obx-reference-range': obxReferenceRange,
  'encounter-status': encounterStatus,
  'orc-to-request-status': orcToRequestStatus,
  'orc-to-medication-status': orcToMedicationStatus,
  'obr-placer-identifier': obrPlacerIdentifier,
  'obr-filler-identifier': obrFillerIdentifier,
  'accession-identifier': accessionIdentifier,
  'dicom-uid-identifier': dicomUidIdentifier,
  'rxe-dose-quantity': rxeDoseQuantity,
  'rxe-dispense-quantity': rxeDispenseQuantity,
  'rxd-quantity': rxdQuantity,
  'rxa-dose-quantity': rxaDoseQuantity,
  'rxa-immunization-status': rxaImmunizationStatus,
  'rxa-administration-status': rxaAdministrationStatus,
  'rxa-primary-source': rxaPrimarySource,
  'appointment-status': appointmentStatus,
  'cwe-to-coding': cweToCoding,
  'cwe-to-dicom-modality': cweToDicomModality,
  'cwe-to-reference': cweToReference,
  'xcn-to-administering-performer': xcnToAdministeringPerformer,
  'xcn-to-performer': xcnToPerformer,
  'nm-to-unsigned-int': nmToUnsignedInt,
  'sch-duration-minutes': schDurationMinutes,
  'eip-to-identifiers': eipToIdentifiers,
} satisfies Record<string, Transform>;

export type TransformName = keyof typeof transforms;

export function isTransformName(name: string): name is TransformName {
  return Object.hasOwn(transforms, name);
}
