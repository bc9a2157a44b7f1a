import { describe, expect, it } from '@jest/globals';
import path from 'node:path';
import type { Bundle, Encounter, Observation, Provenance } from '@medplum/fhirtypes';
import { Hl7v2Message } from '../ingest/hl7v2/index.js';
import { REPO_ROOT } from '../../test/support/paths.js';
import { convertMessage, type ConvertContext } from './convert-message.js';
import { CONTEXT_TAG } from './entry-roles.js';
import { loadMappings } from './load-mappings.js';

const ctx: ConvertContext = {
  defaultZone: 'UTC',
  zoneFor: (f) => (f === 'NORTH' ? 'America/New_York' : undefined),
  mappings: loadMappings(path.join(REPO_ROOT, 'mappings/hl7v2')),
};
const msg = (...segs: string[]) => Hl7v2Message.parse(segs.join('\r'));
const of = <T>(b: Bundle, type: string): T[] => (b.entry ?? []).map((e) => e.resource).filter((r) => r?.resourceType === type) as T[];

const ORU = (facility: string, obx: string[]) => msg(
  `MSH|^~\\&|LIS|${facility}|SINEW|SINEW|20240105120000||ORU^R01^ORU_R01|C1|P|2.5.1`,
  'PID|1||MRN1^^^HOSP^MR||DOE^JANE||19800101|F',
  'OBR|1|P1^HOSP|F1^LAB|58410-2^CBC^LN|||20240705100000|||||||||||||||20240705110000||HM|F',
  ...obx,
);

describe('convertMessage', () => {
  it('returns a transaction of PUTs to deterministic ids plus a Provenance of the stored message', () => {
    const { bundle, issues } = convertMessage(ORU('LAB', ['OBX|1|NM|718-7^Hgb^LN||14.6|g/dL|||||F']), { ...ctx, messageId: 'msg-42' });
    expect(issues).toEqual([]);
    expect(bundle.type).toBe('transaction');
    for (const e of bundle.entry ?? []) expect(e.request).toEqual({ method: 'PUT', url: `${e.resource?.resourceType}/${e.resource?.id}` });
    const [prov] = of<Provenance>(bundle, 'Provenance');
    expect(prov?.entity?.[0]?.what?.identifier).toEqual({ system: 'urn:sinew:message', value: 'msg-42' });
    expect(prov?.target).toHaveLength(3);
    expect(prov?.recorded).toBe('2024-01-05T12:00:00+00:00');
  });

  it('places times without offset in the sending facility zone, else the default zone', () => {
    const obx = 'OBX|1|NM|718-7^Hgb^LN||14.6|g/dL|||||F|||20240705100000';
    const north = of<Observation>(convertMessage(ORU('NORTH', [obx]), ctx).bundle, 'Observation')[0];
    const lab = of<Observation>(convertMessage(ORU('LAB', [obx]), ctx).bundle, 'Observation')[0];
    expect(north?.effectiveDateTime).toBe('2024-07-05T10:00:00-04:00');
    expect(lab?.effectiveDateTime).toBe('2024-07-05T10:00:00+00:00');
  });

  it('keeps each PV1 doctor with its role: attending, referring, consulting, admitting', () => {
    const adt = msg(
      'MSH|^~\\&|ADT|HOSP|SINEW|SINEW|20240105120000||ADT^A01^ADT_A01|A1|P|2.5.1',
      'EVN|A01|20240105120000',
      'PID|1||MRN1^^^HOSP^MR||DOE^JANE||19800101|F',
      'PV1|1|I|W1^101^A||||11^ATT^ANN|22^REF^RAY~23^REF^RITA|33^CON^CAL||||||||44^ADM^ADA||V1^^^HOSP^VN',
    );
    const [enc] = of<Encounter>(convertMessage(adt, ctx).bundle, 'Encounter');
    expect(enc?.participant?.map((p) => `${p.type?.[0]?.coding?.[0]?.code} ${p.individual?.identifier?.value}`)).toEqual([
      'ATND 11', 'REF 22', 'REF 23', 'CON 33', 'ADM 44',
    ]);
  });

  it('names segment repetition, field and expected type for a bad value', () => {
    const { issues } = convertMessage(ORU('LAB', [
      'OBX|1|NM|718-7^Hgb^LN||14.6|g/dL|||||F', 'OBX|2|NM|789-8^RBC^LN||4.5|10*6/uL|||||F', 'OBX|3|NM|777-3^Plt^LN||12,5|10*3/uL|||||F',
    ]), ctx);
    expect(issues).toEqual([{ severity: 'error', code: '102', location: 'OBX[3]-5', text: '"12,5" is not a number (OBX-2 is NM)' }]);
  });

  it('rejects an unmapped message type and a missing required segment', () => {
    const bar = convertMessage(msg('MSH|^~\\&|A|B|C|D|20240105||BAR^P01^BAR_P01|C1|P|2.5.1'), ctx);
    expect(bar.issues).toEqual([expect.objectContaining({ severity: 'error', code: '200', location: 'MSH-9' })]);
    expect(bar.bundle.entry).toEqual([]);
    const noPid = convertMessage(msg('MSH|^~\\&|A|B|C|D|20240105||ADT^A01^ADT_A01|C1|P|2.5.1', 'PV1|1|I'), ctx);
    expect(noPid.issues).toContainEqual(expect.objectContaining({ severity: 'error', code: '100', location: 'PID' }));
  });

  it('maps MSH-9.3 names outside table 0354 (ADT_A04, ADT_A40) through the trigger', () => {
    const a04 = convertMessage(msg(
      'MSH|^~\\&|A|NORTH|C|D|20240105||ADT^A04^ADT_A04|C1|P|2.3',
      'PID|1||MRN1^^^HOSP^MR||DOE^JANE', `PV1|1|O${'|'.repeat(17)}V1^^^HOSP`,
    ), ctx);
    expect(a04.issues).toEqual([]);
    expect(of<Encounter>(a04.bundle, 'Encounter')[0]?.status).toBe('planned');
  });

  it('tags the PID/PV1 snapshot of a result as context so it never overwrites ADT data', () => {
    const { bundle } = convertMessage(msg(
      'MSH|^~\\&|LIS|LAB|SINEW|SINEW|20240105120000||ORU^R01^ORU_R01|C1|P|2.5.1',
      'PID|1||MRN1^^^HOSP^MR||DOE^JANE', `PV1|1|I${'|'.repeat(17)}V1^^^HOSP`,
      'OBR|1|P1^HOSP|F1^LAB|58410-2^CBC^LN||||||||||||||||||||F', 'OBX|1|NM|718-7^Hgb^LN||14.6|g/dL|||||F',
    ), ctx);
    const tagged = (bundle.entry ?? []).filter((e) => e.resource?.meta?.tag?.some((t) => t.code === CONTEXT_TAG.code)).map((e) => e.resource?.resourceType);
    expect(tagged.sort()).toEqual(['Encounter', 'Patient']);
  });

  it('joins report text lines and keeps warnings for recoverable problems', () => {
    const { bundle, issues } = convertMessage(ORU('LAB', [
      'OBX|1|TX|18782-3^Study^LN||Line one||||||F', 'OBX|2|TX|18782-3^Study^LN||Line two||||||F', 'OBX|3|NM|718-7^Hgb^LN||14.6|g/dL|||||',
    ]), ctx);
    const obs = of<Observation>(bundle, 'Observation');
    expect(obs.map((o) => o.valueString ?? o.valueQuantity?.value)).toEqual(['Line one\nLine two', 14.6]);
    expect(obs[1]?.status).toBe('unknown');
    expect(issues).toEqual([expect.objectContaining({ severity: 'warning', location: 'OBX[3]-11' })]);
  });
});
