import { describe, it, expect } from '@jest/globals';
import { Hl7Message } from '@medplum/core';
import { OperationOutcomeError } from '../../fhir/outcomes.js';
import { Hl7v2Message } from './message.js';

const ADT = [
  'MSH|^~\\&|EPIC|HOSP^1.2.3^ISO|SINEW|LAB|20240105123000+0100||ADT^A04|CTRL1|P|2.5.1|||AL|NE||8859/1',
  'EVN|A04|20240105123000',
  'PID|1||MRN1^^^HOSP^MR~SSN9^^^SSA^SS||O\\S\\BRIEN^JOHN||19800101|M',
  'PV1|1|O',
  'OBX|1|ST|A||first',
  'OBX|2|ST|B||second\\.br\\line',
].join('\r');

function locationOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(OperationOutcomeError);
    return (err as OperationOutcomeError).outcome.issue?.[0]?.expression?.[0];
  }
  return undefined;
}

describe('Hl7v2Message.parse', () => {
  const msg = Hl7v2Message.parse(ADT);

  it('reads the header', () => {
    expect(msg.messageType).toEqual({ code: 'ADT', trigger: 'A04', structure: 'ADT_A01' });
    expect(msg.controlId).toBe('CTRL1');
    expect(msg.version).toBe('2.5.1');
    expect(msg.sendingApplication).toBe('EPIC');
    expect(msg.sendingFacility).toBe('HOSP');
    expect(msg.receivingApplication).toBe('SINEW');
    expect(msg.receivingFacility).toBe('LAB');
    expect(msg.messageDateTime).toBe('20240105123000+0100');
    expect(msg.processingId).toBe('P');
    expect(msg.acceptAckType).toBe('AL');
    expect(msg.appAckType).toBe('NE');
    expect(msg.charset).toBe('iso-8859-1');
  });

  it('numbers MSH fields from the separator', () => {
    const msh = msg.segment('MSH')!;
    expect(msh.field(1).raw()).toBe('|');
    expect(msh.field(2).raw()).toBe('^~\\&');
    expect(msh.field(2).component(1)).toBe('^~\\&');
    expect(msh.field(3).component(1)).toBe('EPIC');
    expect(msg.get('MSH-9.2')).toBe('A04');
  });

  it('reads paths, repetitions and components, unescaped', () => {
    expect(msg.get('PID-3')).toBe('MRN1^^^HOSP^MR');
    expect(msg.get('PID-3.1')).toBe('MRN1');
    expect(msg.get('PID-3[2].1')).toBe('SSN9');
    expect(msg.get('PID-3[2].4.1')).toBe('SSA');
    expect(msg.get('PID-5.1')).toBe('O^BRIEN');
    expect(msg.get('PID.5.2')).toBe('JOHN');
    expect(msg.get('OBX[2]-5')).toBe('second\nline');
    expect(msg.get('OBX[3]-5')).toBe('');
    expect(msg.get('PID-99')).toBe('');
    expect(msg.get('ZZZ-1')).toBe('');
    expect(msg.segment('PID')?.field(3).component(1)).toBe('MRN1');
    expect(msg.segment('PID')?.field(3).repetitions.map((r) => r.component(1))).toEqual(['MRN1', 'SSN9']);
    expect(msg.segment('PID')?.field(3).repetition(2).component(5)).toBe('SS');
    expect(msg.segment('PID')?.get('5.1')).toBe('O^BRIEN');
    expect(msg.segment('PID')?.field(4).isEmpty()).toBe(true);
  });

  it('lists segments with their position', () => {
    expect(msg.segments().map((s) => s.name)).toEqual(['MSH', 'EVN', 'PID', 'PV1', 'OBX', 'OBX']);
    expect(msg.segments('OBX').map((s) => s.index)).toEqual([4, 5]);
  });

  it('round-trips, with LF, CRLF and trailing terminators normalised', () => {
    expect(msg.toString()).toBe(ADT);
    expect(Hl7v2Message.parse(ADT.replace(/\r/g, '\n') + '\n\n').toString()).toBe(ADT);
    expect(Hl7v2Message.parse(ADT.replace(/\r/g, '\r\n') + '\r\n').toString()).toBe(ADT);
    expect(Hl7v2Message.parse(ADT + '\r').segments()).toHaveLength(6);
  });

  it('hands over to medplum for ACKs', () => {
    const m = msg.toMedplum();
    expect(m).toBeInstanceOf(Hl7Message);
    expect(m.toString()).toBe(ADT);
    expect(m.buildAck().getSegment('MSA')?.getField(2).toString()).toBe('CTRL1');
  });

  it('handles the v2.7 truncation character and custom separators', () => {
    const five = Hl7v2Message.parse('MSH|^~\\&#|A|B|C|D|20240101||ORU^R01^ORU_R01|1|P|2.7\rOBX|1|ST|X||a\\P\\b');
    expect(five.encoding).toEqual({ field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&', truncation: '#' });
    expect(five.get('OBX-5')).toBe('a#b');
    expect(five.get('MSH-9.3')).toBe('ORU_R01');
    const custom = Hl7v2Message.parse('MSH#$%@*#APP#FAC#R#F#20240101##ADT$A08#9#P#2.4\rPID#1##ID1$$$AUTH%ID2##DOE@S@X$JANE');
    expect(custom.encoding.escape).toBe('@');
    expect(custom.messageType).toEqual({ code: 'ADT', trigger: 'A08', structure: 'ADT_A01' });
    expect(custom.get('PID-3[2]')).toBe('ID2');
    expect(custom.get('PID-3.4')).toBe('AUTH');
    expect(custom.get('PID-5.1')).toBe('DOE$X');
  });

  it('joins a value broken by a stray line break and warns', () => {
    const raw = 'MSH|^~\\&|A|B|C|D|1||ORU^R01|1|P|2.5.1\rOBX|1|ED|X||^application^pdf^Base64^QUJD\rREVG||\rOBX|2|ST|Y||z';
    const m = Hl7v2Message.parse(raw);
    expect(m.segments('OBX')).toHaveLength(2);
    expect(m.get('OBX-5.5')).toBe('QUJD\rREVG');
    expect(Buffer.from(m.get('OBX-5.5'), 'base64').toString()).toBe('ABCDEF');
    expect(m.warnings[0]).toContain('OBX');
    expect(m.toString()).toBe(raw);
  });

  it('defaults the structure from table 0354 aliases', () => {
    const make = (t: string, v = '2.5.1'): string => Hl7v2Message.parse(`MSH|^~\\&|A|B|C|D|1||${t}|1|P|${v}`).messageType.structure;
    expect(make('ADT^A08')).toBe('ADT_A01');
    expect(make('ADT^A31')).toBe('ADT_A05');
    expect(make('ADT^A07')).toBe('ADT_A06');
    expect(make('ADT^A40')).toBe('ADT_A39');
    expect(make('ADT^A47')).toBe('ADT_A30');
    expect(make('ADT^A12')).toBe('ADT_A12');
    expect(make('ADT^A12', '2.3')).toBe('ADT_A09');
    expect(make('MDM^T06')).toBe('MDM_T02');
    expect(make('ACK^A01')).toBe('ACK');
    expect(make('ORU^R01^ORU_R01')).toBe('ORU_R01');
    expect(make('XYZ^Q99')).toBe('XYZ_Q99');
  });

  it('rejects broken input with a precise location', () => {
    expect(locationOf(() => Hl7v2Message.parse(''))).toBe('MSH');
    expect(locationOf(() => Hl7v2Message.parse('  \r\n'))).toBe('MSH');
    expect(locationOf(() => Hl7v2Message.parse('PID|1||X'))).toBe('MSH');
    expect(locationOf(() => Hl7v2Message.parse('FHS|^~\\&|A\rMSH|^~\\&|A'))).toBe('MSH');
    expect(locationOf(() => Hl7v2Message.parse('MSH'))).toBe('MSH-1');
    expect(locationOf(() => Hl7v2Message.parse('MSH|^~&|A|B'))).toBe('MSH-2');
    expect(locationOf(() => Hl7v2Message.parse('MSH|^~\\\\&|A|B'))).toBe('MSH-2');
    expect(locationOf(() => Hl7v2Message.parse('MSH|^^\\&|A|B'))).toBe('MSH-2');
    expect(locationOf(() => Hl7v2Message.parse('MSH|^~\\&|A\rMSH|^~\\&|B'))).toBe('MSH[2]');
    expect(() => Hl7v2Message.parse(ADT).get('PID-x')).toThrow(OperationOutcomeError);
  });
});
