import type { Resource } from '@medplum/fhirtypes';
import type { Db } from '../db/database.js';
import type { Hl7v2Message } from '../ingest/hl7v2/index.js';

/** What happened to one resource while a source (HL7 message, FHIR Bundle, file) was processed. */
export interface StoredResourceEvent {
  /** The transaction the source's processing commits in: observers write in it too. */
  trx: Db;
  resource: Resource;
  versionId: string;
  /** False when the source repeated what was already stored (a resend): observers usually skip. */
  changed: boolean;
  previous?: Resource;
  source: {
    kind: 'hl7v2' | 'fhir-api' | 'fhir-file' | 'fhir-pull';
    messageId?: string;
    /** When Sinew received the source (its own clock). */
    receivedAt: Date;
    /** A backfill of history (`sinew import`, `sinew pull`): availability comes from the source's own times. */
    backfill: boolean;
    /** HL7 trigger event (A01, A40 …) when the source was an ADT message. */
    trigger?: string;
    /** The parsed HL7v2 message the resource came from, so observers need not read and parse it again. */
    message?: Hl7v2Message;
  };
}

/**
 * The identity index and the timeline follow every stored resource through this one seam, so a
 * new consumer is a new observer, not an edit of the ingest paths.
 */
export interface ResourceObserver {
  readonly name: string;
  onStored(event: StoredResourceEvent): Promise<void>;
}
