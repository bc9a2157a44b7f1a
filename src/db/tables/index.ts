import type { FhirPullTables } from './fhir-pull.table.js';
import type { FhirStoreTables } from './fhir-resource.table.js';
import type { Hl7MessageTable } from './hl7-message.table.js';
import type { IdentityTables } from './identity.table.js';
import type { SigningKeyTable } from './signing-key.table.js';
import type { TimelineTables } from './timeline.table.js';

/** Every table kysely knows about; each feature adds its own file and one line here. */
export interface Tables {
  hl7_message: Hl7MessageTable;
  signing_key: SigningKeyTable;
}
export interface Tables extends TimelineTables {}
export interface Tables extends FhirStoreTables {}
export interface Tables extends IdentityTables {}
export interface Tables extends FhirPullTables {}
