import type { Bundle, Resource } from '@medplum/fhirtypes';
import { OperationOutcomeError } from '@medplum/core';
import type { Config } from '../config/config.schema.js';
import type { MessageHandler } from '../ingest/handler-registry.js';
import { convertMessage, type LoadedMappings } from '../normalize/index.js';
import { applyEntries } from './apply-entry.js';
import type { ResourceObserver } from './resource-observer.js';

/**
 * The processing of a stored HL7v2 message: map it to FHIR, refuse it whole if anything does not
 * validate, store each resource as a new version, and let identity and timeline observe each one —
 * all in the worker's transaction, so a message's effects exist exactly when it is marked done.
 */
export function hl7v2PipelineHandler(deps: {
  config: Pick<Config, 'tz' | 'facilityTz'>;
  mappings: LoadedMappings;
  structures: readonly string[];
  observers: readonly ResourceObserver[];
}): MessageHandler {
  return {
    name: 'hl7v2-to-fhir',
    structures: deps.structures,
    async process({ trx, row, message }) {
      const { bundle, issues } = convertMessage(message, {
        defaultZone: deps.config.tz,
        zoneFor: (facility) => deps.config.facilityTz[facility],
        mappings: deps.mappings,
        messageId: row.id,
      });
      const errors = issues.filter((i) => i.severity === 'error');
      if (errors.length > 0) {
        throw new OperationOutcomeError({
          resourceType: 'OperationOutcome',
          issue: errors.map((e) => ({ severity: 'error', code: 'invalid', details: { text: e.text }, expression: [e.location] })),
        });
      }
      const source = { kind: 'hl7v2' as const, messageId: row.id };
      const trigger = message.messageType.trigger;
      // Stored together (a few round trips per message, not a few per resource), then observed in
      // bundle order, still inside the message's savepoint.
      for (const applied of await applyEntries(trx, resourcesOf(bundle), source)) {
        if (!applied) continue;
        for (const observer of deps.observers) {
          await observer.onStored({
            trx,
            ...applied,
            source: { kind: 'hl7v2', messageId: row.id, receivedAt: new Date(row.received_at), backfill: row.transport === 'file', trigger, message },
          });
        }
      }
    },
  };
}

function resourcesOf(bundle: Bundle): Resource[] {
  return (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Resource => r !== undefined);
}
