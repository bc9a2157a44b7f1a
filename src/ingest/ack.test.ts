import { describe, it, expect } from '@jest/globals';
import { buildAck, toErrorLocation, type AckEncoding, type AckSubject } from './ack.js';

const SUBJECT: AckSubject = {
  controlId: 'MSG00042',
  sendingApplication: 'LAB',
  sendingFacility: 'NORTH',
  receivingApplication: 'SINEW',
  receivingFacility: 'HUB',
  trigger: 'R01',
  version: '2.5.1',
};
const INPUT = { ackControlId: 'SINEW7', timestamp: '20260105101500' };

/** Segments of an ACK, each split into fields (index n is field n, MSH counted from MSH-1 as HL7 does). */
function segments(ack: string, sep = '|'): string[][] {
  expect(ack.endsWith('\r')).toBe(true);
  return ack
    .slice(0, -1)
    .split('\r')
    .map((s) => (s.startsWith('MSH') ? ['MSH', sep, ...s.slice(4).split(sep)] : s.split(sep)));
}

describe('buildAck', () => {
  it('builds MSH and MSA, echoing MSH-10 in MSA-2 and answering the sender', () => {
    const ack = buildAck(SUBJECT, { code: 'AA', ...INPUT });
    expect(ack).toBe('MSH|^~\\&|SINEW|HUB|LAB|NORTH|20260105101500||ACK^R01^ACK|SINEW7|P|2.5.1\rMSA|AA|MSG00042|Message stored\r');
  });

  it.each([
    ['AA', 'Message stored'],
    ['AE', 'Application error'],
    ['AR', 'Application reject'],
  ] as const)('uses %s with its default text when no issue is given', (code, text) => {
    const [, msa] = segments(buildAck(SUBJECT, { code, ...INPUT }));
    expect(msa).toEqual(['MSA', code, 'MSG00042', text]);
  });

  it.each([
    ['AA', 'CA'],
    ['AE', 'CE'],
    ['AR', 'CR'],
  ] as const)('answers %s as the commit ACK %s when MSH-15 asks for accept acknowledgements', (code, enhanced) => {
    const [, msa] = segments(buildAck({ ...SUBJECT, acceptAckType: 'AL' }, { code, ...INPUT }));
    expect(msa?.slice(0, 3)).toEqual(['MSA', enhanced, 'MSG00042']);
  });

  it('keeps original mode when MSH-15 is empty', () => {
    const [, msa] = segments(buildAck({ ...SUBJECT, acceptAckType: '' }, { code: 'AE', ...INPUT }));
    expect(msa?.[1]).toBe('AE');
  });

  it('has an empty MSA-2 for a subject without MSH (garbage)', () => {
    const ack = buildAck({}, { code: 'AR', ...INPUT, issues: [{ code: 100, text: 'not an HL7 message: no MSH segment' }] });
    const [msh, msa, err] = segments(ack);
    expect(msh?.slice(0, 12)).toEqual(['MSH', '|', '^~\\&', 'SINEW', 'SINEW', '', '', '20260105101500', '', 'ACK^^ACK', 'SINEW7', 'P']);
    expect(msh?.[12]).toBe('2.5.1');
    expect(msa).toEqual(['MSA', 'AR', '', 'not an HL7 message: no MSH segment']);
    expect(err).toEqual(['ERR', '', '', '100^Segment sequence error^HL70357', 'E', '', '', '', 'not an HL7 message: no MSH segment']);
  });

  it('adds one ERR per issue: ERL location, code^text^HL70357, severity E and the text in ERR-8', () => {
    const ack = buildAck(SUBJECT, {
      code: 'AE',
      ...INPUT,
      issues: [
        { code: 101, location: 'PID-3', text: 'PID-3 is required' },
        { code: 102, location: 'OBX[2]-5.1', text: 'OBX-5 is not a number' },
        { code: 207, text: 'handler failed' },
      ],
    });
    const [, msa, ...errs] = segments(ack);
    // MSA-3 carries the first issue's text so simple receivers still see why.
    expect(msa).toEqual(['MSA', 'AE', 'MSG00042', 'PID-3 is required']);
    expect(errs).toEqual([
      ['ERR', '', 'PID^1^3', '101^Required field missing^HL70357', 'E', '', '', '', 'PID-3 is required'],
      ['ERR', '', 'OBX^2^5^^1', '102^Data type error^HL70357', 'E', '', '', '', 'OBX-5 is not a number'],
      ['ERR', '', '', '207^Application internal error^HL70357', 'E', '', '', '', 'handler failed'],
    ]);
  });

  it('fills ERR-1 (ELD) for receivers older than v2.5, with the code as a CE in component 4', () => {
    const ack = buildAck({ ...SUBJECT, version: '2.3' }, { code: 'AE', ...INPUT, issues: [{ code: 101, location: 'PID-3', text: 'missing' }] });
    const [msh, , err] = segments(ack);
    expect(msh?.[12]).toBe('2.3');
    expect(err).toEqual(['ERR', 'PID^1^3^101&Required field missing&HL70357', 'PID^1^3', '101^Required field missing^HL70357', 'E', '', '', '', 'missing']);
  });

  it('escapes separators in echoed values and texts, and flattens line breaks', () => {
    const ack = buildAck(
      { ...SUBJECT, controlId: 'A|B^C~D\\E&F', sendingFacility: 'N|S' },
      { code: 'AE', ...INPUT, issues: [{ code: 102, location: 'PID-7', text: "'19|80' is not\ra date^time" }] },
    );
    const [msh, msa, err] = segments(ack);
    expect(msh?.[6]).toBe('N\\F\\S');
    expect(msa?.[2]).toBe('A\\F\\B\\S\\C\\R\\D\\E\\E\\T\\F');
    expect(err?.[8]).toBe("'19\\F\\80' is not a date\\S\\time");
    expect(ack.split('\r')).toHaveLength(4); // MSH, MSA, ERR and the final empty string: no stray CR
  });

  it("uses the message's own encoding characters", () => {
    const enc: AckEncoding = { field: '#', component: '!', repetition: '*', escape: '$', subcomponent: '%' };
    const ack = buildAck(
      { ...SUBJECT, controlId: 'X#1!2', encoding: enc },
      { code: 'AE', ...INPUT, issues: [{ code: 101, location: 'PID-3.1', text: 'a#b' }] },
    );
    expect(ack).toBe(
      'MSH#!*$%#SINEW#HUB#LAB#NORTH#20260105101500##ACK!R01!ACK#SINEW7#P#2.5.1\r' +
        'MSA#AE#X$F$1$S$2#a$F$b\r' +
        'ERR##PID!1!3!!1#101!Required field missing!HL70357#E####a$F$b\r',
    );
  });

  it('echoes MSH-18 in MSH-18 when the message named its charset', () => {
    const [msh] = segments(buildAck({ ...SUBJECT, msh18: '8859/1', charset: 'iso-8859-1' }, { code: 'AA', ...INPUT }));
    expect(msh).toHaveLength(19);
    expect(msh?.[18]).toBe('8859/1');
    expect(msh?.slice(13, 18)).toEqual(['', '', '', '', '']);
  });

  it('truncates MSA-3 to 80 characters', () => {
    const long = 'x'.repeat(200);
    const [, msa, err] = segments(buildAck(SUBJECT, { code: 'AE', ...INPUT, issues: [{ code: 207, text: long }] }));
    expect(msa?.[3]).toBe('x'.repeat(80));
    expect(err?.[8]).toBe(long);
  });
});

describe('toErrorLocation', () => {
  it.each([
    ['PID', 'PID^1'],
    ['PID-3', 'PID^1^3'],
    ['PID-3.1', 'PID^1^3^^1'],
    ['PID-3[2]', 'PID^1^3^2'],
    ['PID-3[2].4.1', 'PID^1^3^2^4^1'],
    ['OBX[2]-5.1', 'OBX^2^5^^1'],
    ['OBX[12]', 'OBX^12'],
    ['MSH-2', 'MSH^1^2'],
    ['MSH-9.2', 'MSH^1^9^^2'],
    ['segment 3', ''],
    ['pid-3', ''],
    ['', ''],
  ])('%s → %s', (location, erl) => {
    expect(toErrorLocation(location)).toBe(erl);
  });

  it('joins with the given component separator', () => {
    expect(toErrorLocation('OBX[2]-5.1', { field: '|', component: '!', repetition: '~', escape: '\\', subcomponent: '&' })).toBe('OBX!2!5!!1');
  });
});
