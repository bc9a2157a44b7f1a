import { beforeAll, describe, expect, it } from '@jest/globals';
import path from 'node:path';
import { Hl7v2Message } from '../ingest/hl7v2/index.js';
import { simulateHospital } from '../simulate/index.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { convertMessage } from './convert-message.js';
import { loadMappings } from './load-mappings.js';
import { createValidator, type ResourceValidator } from './validate.js';

/** Every message type the simulator sends; all of them are mapped. */
const COVERED = new Set(['ADT^A01', 'ADT^A02', 'ADT^A03', 'ADT^A04', 'ADT^A08', 'ADT^A11', 'ADT^A40', 'ORU^R01', 'MDM^T02', 'ORM^O01', 'RDE^O11']);

const mappings = loadMappings(path.join(REPO_ROOT, 'mappings/hl7v2'));
const ctx = { defaultZone: 'America/New_York', zoneFor: () => undefined, mappings };
let validator: ResourceValidator;
beforeAll(() => {
  validator = createValidator();
});

describe('simulated 20-patient 3-day feed', () => {
  const feed = simulateHospital({ patients: 20, days: 3, seed: 7 });
  const covered = feed.messages.filter((m) => COVERED.has(m.type));

  it('covers the whole feed, merges, orders and medications included', () => {
    expect(covered.length).toBe(feed.messages.length);
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

  it('gives a radiology order and its report the same ImagingStudy (id from the Study Instance UID)', () => {
    const studies = (type: string) => new Set(feed.messages.filter((m) => m.type === type).flatMap((m) =>
      (convertMessage(Hl7v2Message.parse(m.text), ctx).bundle.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === 'ImagingStudy').map((r) => r!.id)));
    const ordered = studies('ORM^O01');
    const reported = [...studies('ORU^R01')];
    expect(ordered.size).toBeGreaterThan(0);
    expect(reported.filter((id) => ordered.has(id)).length).toBeGreaterThan(0);
  });
});
