import { beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { Hl7v2Message } from '../ingest/hl7v2/index.js';
import { simulateHospital } from '../simulate/index.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { convertMessage } from './convert-message.js';
import { loadMappings } from './load-mappings.js';
import { createValidator, type ResourceValidator } from './validate.js';

/** The message types this engine covers; the simulator's ORM and RDE are not mapped yet. */
const COVERED = new Set(['ADT^A01', 'ADT^A02', 'ADT^A03', 'ADT^A04', 'ADT^A08', 'ADT^A11', 'ADT^A40', 'ORU^R01', 'MDM^T02']);

const mappings = loadMappings(path.join(REPO_ROOT, 'mappings/hl7v2'));
const ctx = { defaultZone: 'America/New_York', zoneFor: () => undefined, mappings };
let validator: ResourceValidator;
beforeAll(() => {
  validator = createValidator();
});

describe('simulated 20-patient 3-day feed', () => {
  const feed = simulateHospital({ patients: 20, days: 3, seed: 7 });
  const covered = feed.messages.filter((m) => COVERED.has(m.type));

  it('covers most of the feed, merges included', () => {
    expect(covered.length).toBeGreaterThan(feed.messages.length / 2);
    expect(new Set(covered.map((m) => m.type))).toEqual(new Set(COVERED));
  });

  it('converts every covered message without errors and every resource validates', () => {
    const failures: string[] = [];
    for (const m of covered) {
      const { bundle, issues } = convertMessage(Hl7v2Message.parse(m.text), ctx);
      const problems = [...issues.filter((i) => i.severity === 'error'), ...validator.validateBundle(bundle)];
      for (const p of problems) failures.push(`${m.type} ${m.controlId} ${p.location}: ${p.text}`);
      // A FHIR dateTime with a time never lacks an offset (https://hl7.org/fhir/R4/datatypes.html#dateTime).
      for (const t of JSON.stringify(bundle).match(/"\d{4}-\d{2}-\d{2}T[\d:.]+"/g) ?? []) failures.push(`${m.controlId}: ${t} has no offset`);
    }
    expect(failures).toEqual([]);
  });
});
