import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HL7_CORPUS } from '../../../test/support/paths.js';
import { decodeHl7Bytes } from './decode.js';
import { Hl7v2Message } from './message.js';
import { isSupportedStructure, supportedStructure, validateStructure } from './structure.js';

const parse = (...segments: string[]): Hl7v2Message => Hl7v2Message.parse(segments.join('\r'));
const msh = (type: string, extra = ''): string => `MSH|^~\\&|A|B|C|D|20240105120000||${type}|CTRL|P|2.5.1${extra}`;
const codes = (m: Hl7v2Message): string[] => validateStructure(m).map((i) => `${i.code} ${i.location}`);

describe('validateStructure', () => {
  it('accepts a well-formed ADT_A01 with Z-segments anywhere', () => {
    expect(codes(parse(msh('ADT^A01'), 'ZXY|1', 'EVN|A01', 'PID|1||X', 'ZAB|2', 'PV1|1|I', 'NK1|1'))).toEqual([]);
  });

  it('reports missing and out-of-order segments (code 100)', () => {
    expect(codes(parse(msh('ADT^A04'), 'PID|1||X', 'EVN|A04'))).toEqual(['100 PV1', '100 PID']);
    expect(codes(parse(msh('ADT^A01'), 'EVN|A01', 'PID|1', 'PV1|1', 'PID|2'))).toEqual(['100 PID[2]']);
  });

  it('needs OBR before OBX in ORU_R01', () => {
    expect(codes(parse(msh('ORU^R01'), 'PID|1', 'OBX|1', 'OBR|1', 'OBX|2'))).toEqual(['100 OBX']);
    expect(codes(parse(msh('ORU^R01^ORU_R01'), 'PID|1'))).toEqual(['100 OBR']);
    expect(codes(parse(msh('ORU^R01'), 'PID|1', 'ORC|RE', 'OBR|1', 'OBX|1', 'ORC|RE', 'OBR|2', 'OBX|1', 'NTE|1'))).toEqual([]);
  });

  it('checks merges: MRG after PID, repeated groups allowed in ADT_A39', () => {
    expect(codes(parse(msh('ADT^A40'), 'EVN|A40', 'PID|1', 'MRG|X', 'PID|2', 'MRG|Y'))).toEqual([]);
    expect(codes(parse(msh('ADT^A40'), 'EVN|A40', 'MRG|X', 'PID|1'))).toEqual(['100 MRG', '100 MRG']);
  });

  it('checks MSH-9, MSH-10 and MSH-12 (code 101) and table values (103, 102)', () => {
    const m = parse('MSH|^~\\&|A|B|C|D|2024130512||ADT||||||XX|NE', 'EVN|A01', 'PID|1', 'PV1|1');
    expect(codes(m)).toEqual(['101 MSH-9.2', '101 MSH-10', '101 MSH-12', '103 MSH-15', '102 MSH-7', '201 MSH-9.2']);
    const x = parse('MSH|^~\\&|A|B|C|D|20240105||ADT^A01|1|X|2.5.1', 'EVN|A01', 'PID|1', 'PV1|1');
    expect(codes(x)).toEqual(['103 MSH-11']);
  });

  it('flags unknown message types (200) and events (201)', () => {
    expect(codes(parse(msh('QRY^Q99')))).toEqual(['200 MSH-9.1']);
    expect(codes(parse(msh('ADT^A99'), 'EVN|A99', 'PID|1'))).toEqual(['201 MSH-9.2']);
  });

  it('accepts CODE_TRIGGER in MSH-9.3 but flags an unknown structure id', () => {
    expect(codes(parse(msh('ADT^A04^ADT_A04'), 'EVN|A04', 'PID|1', 'PV1|1'))).toEqual([]);
    expect(codes(parse(msh('ADT^A01^9.3-DEF'), 'EVN|A01', 'PID|1', 'PV1|1'))).toEqual(['103 MSH-9.3']);
  });

  it('never sees a bad segment id: such a line is joined to its segment with a warning', () => {
    const m = parse(msh('ACK^A01'), 'MSA|AA|1', 'Ab1|x');
    expect(m.segments().map((s) => s.name)).toEqual(['MSH', 'MSA']);
    expect(m.warnings).toHaveLength(1);
    expect(codes(m)).toEqual([]);
  });

  it('requires IPC in OMI_O23: the dcm4che ZDS variant has none', () => {
    const read = (f: string): Hl7v2Message => Hl7v2Message.parse(decodeHl7Bytes(readFileSync(path.join(HL7_CORPUS, 'dcm4che-imaging', f))).text);
    expect(codes(read('OMI_O23-ImagingOrder.hl7'))).toEqual([]);
    expect(codes(read('ORM_O01-GeneralOrder.hl7'))).toEqual(['100 IPC']);
  });
});

describe('supportedStructure', () => {
  it('resolves the structure of a message, or undefined', () => {
    expect(supportedStructure(parse(msh('ADT^A08')))).toBe('ADT_A01');
    expect(supportedStructure(parse(msh('SIU^S14')))).toBe('SIU_S12');
    expect(supportedStructure(parse(msh('RSP^K11^RSP_K11')))).toBeUndefined();
  });

  it('answers for a structure id', () => {
    expect(supportedStructure('OML_O21')).toBe(true);
    expect(isSupportedStructure('RSP_K11')).toBe(false);
  });
});
