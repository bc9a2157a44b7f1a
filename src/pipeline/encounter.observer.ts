import type { Encounter } from '@medplum/fhirtypes';
import type { Config } from '../config/config.schema.js';
import type { Db } from '../db/database.js';
import { hl7ToFhirDateTime, type Hl7v2Message } from '../ingest/hl7v2/index.js';
import { parseStored } from '../ingest/message-worker.js';
import { ADT_TRIGGERS, type AdtTrigger } from '../timeline/encounter-state.js';
import { recordEncounterEvent } from '../timeline/encounter.repository.js';
import { availableAt } from '../timeline/new-timeline-event.js';
import type { ResourceObserver, StoredResourceEvent } from './resource-observer.js';

const isAdtTrigger = (t: string | undefined): t is AdtTrigger => (ADT_TRIGGERS as readonly string[]).includes(t ?? '');

/** Triggers whose clinical time is the visit's own start (PV1-44) or end (PV1-45) when the sender gave it. */
const STARTS = new Set<AdtTrigger>(['A01', 'A04', 'A05', 'A14']);

interface EventTimes {
  /** EVN-6 event occurred. */
  occurred?: string;
  /** EVN-2 recorded, else MSH-7: when the sender knew it. */
  recorded?: string;
}

function eventTimes(message: Hl7v2Message, zone: string): EventTimes {
  const at = (raw: string | undefined): string | undefined => {
    if (!raw?.trim()) return undefined;
    try {
      return new Date(Date.parse(hl7ToFhirDateTime(raw.trim(), zone).value)).toISOString();
    } catch {
      return undefined; // the mapping already reported a malformed time; fall back to the next clock
    }
  };
  const evn = message.segment('EVN');
  const occurred = at(evn?.field(6).component(1));
  const recorded = at(evn?.field(2).component(1)) ?? at(message.header.field(7).component(1));
  return { ...(occurred ? { occurred } : {}), ...(recorded ? { recorded } : {}) };
}

async function storedMessage(trx: Db, messageId: string): Promise<Hl7v2Message | undefined> {
  const row = await trx.selectFrom('hl7_message').select(['raw', 'charset']).where('id', '=', messageId).executeTakeFirst();
  return row?.raw ? parseStored(row) : undefined;
}

/** The ADT event an Encounter stored from an ADT message stands for; undefined when it is not one. */
export async function encounterEventOf(event: StoredResourceEvent, config: Pick<Config, 'tz' | 'facilityTz'>) {
  const { trx, resource, source } = event;
  const trigger = source.trigger;
  if (resource.resourceType !== 'Encounter' || source.kind !== 'hl7v2' || !source.messageId || !isAdtTrigger(trigger)) return undefined;
  const enc = resource as Encounter;
  const patientRecord = enc.subject?.reference?.match(/^Patient\/(.+)$/)?.[1];
  if (!patientRecord || !enc.id) return undefined;
  // Replays through other paths carry no parsed message; then the stored one is read.
  const message = source.message ?? (await storedMessage(trx, source.messageId));
  const zone = (message && config.facilityTz[message.sendingFacility]) ?? config.tz;
  const times = message ? eventTimes(message, zone) : {};
  const instant = (s: string | undefined) => (s ? new Date(Date.parse(s)).toISOString() : undefined);
  // PV1-44/45 say when the visit began/ended; EVN-6 when any other event happened; then the sender's clock.
  const own = STARTS.has(trigger) ? instant(enc.period?.start) : trigger === 'A03' ? instant(enc.period?.end) : undefined;
  const at = own ?? times.occurred ?? times.recorded ?? source.receivedAt.toISOString();
  const known = availableAt(times.recorded ? new Date(times.recorded) : undefined, source.receivedAt, source.backfill).at;
  const location = enc.location?.find((l) => l.status === 'active')?.location ?? enc.location?.[0]?.location;
  const where = location?.display ?? location?.reference;
  const patientClass = message?.segment('PV1')?.field(2).component(1).trim();
  return {
    trigger,
    encounterId: enc.id,
    patientRecord,
    at,
    ...(where ? { location: where } : {}),
    ...(patientClass ? { patientClass } : {}),
    knownAt: known.toISOString(),
    messageId: source.messageId,
  };
}

/**
 * ADT messages drive the encounter state machine (issue 5 §2): each Encounter an ADT message
 * stores becomes one event with its clinical time (PV1-44/45, EVN-6) and the time it became known,
 * recorded bitemporally in the message's transaction. An illegal transition is logged with its
 * reason, not thrown: the message itself was valid, the sequence is what is odd.
 */
export function encounterObserver(deps: { config: Pick<Config, 'tz' | 'facilityTz'> }): ResourceObserver {
  return {
    name: 'encounter',
    async onStored(event) {
      const input = await encounterEventOf(event, deps.config);
      if (input) await recordEncounterEvent(event.trx, input);
    },
  };
}
