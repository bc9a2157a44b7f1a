import { createHash } from 'node:crypto';
import { describe, it, expect } from '@jest/globals';
import { createClassifier, type Receipt } from './classify.js';
import { isKnownStructure } from './structure-handler.js';

const classifier = createClassifier(isKnownStructure);
const RECEIVED = new Date('2026-01-05T10:15:00Z');

function receive(bytes: Buffer | string, extra: Partial<Receipt> = {}) {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  return classifier.classify({ bytes: buf, transport: 'mllp', peer: '127.0.0.1:4000', receivedAt: RECEIVED, ...extra });
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest();

function adt(controlId: string, eol = '\r', pid = 'PID|1||P123^^^GH^MR||DOE^JANE||19610615|F'): string {
  return [`MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101120000||ADT^A01^ADT_A01|${controlId}|P|2.5.1`, 'EVN|A01|20240101120000', pid, 'PV1|1|I'].join(eol) + eol;
}

describe('createClassifier', () => {
  it('accepts a valid message: metadata, exact bytes, pending processing', () => {
    const text = adt('C1');
    const { messages, batch } = receive(text);
    expect(batch).toBe(false);
    expect(messages).toHaveLength(1);
    const [m] = messages;
    expect(m?.record).toEqual({
      receivedAt: RECEIVED,
      transport: 'mllp',
      peer: '127.0.0.1:4000',
      charset: 'utf8',
      sha256: sha(Buffer.from(text)),
      raw: Buffer.from(text),
      sender: 'ADT1|GH',
      facility: 'GH',
      controlId: 'C1',
      messageType: 'ADT^A01',
      structure: 'ADT_A01',
      version: '2.5.1',
      status: 'accepted',
      ackCode: 'AA',
      reason: null,
      patientKey: 'GH|P123',
      processState: 'pending',
    });
    expect(m?.subject).toMatchObject({ controlId: 'C1', sendingApplication: 'ADT1', sendingFacility: 'GH', trigger: 'A01', version: '2.5.1' });
  });

  it('rejects garbage bytes with AR, no control id and the bytes kept', () => {
    const bytes = Buffer.from([0x01, 0x02, 0xff, 0x80, 0x41]);
    const { messages, batch } = receive(bytes);
    expect(batch).toBe(false);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.subject).toEqual({});
    expect(messages[0]?.record).toMatchObject({
      status: 'rejected',
      ackCode: 'AR',
      controlId: null,
      messageType: null,
      processState: 'skipped',
      reason: [{ code: 100, text: 'not an HL7 message: no MSH segment' }],
    });
    expect(messages[0]?.record.raw.equals(bytes)).toBe(true);
  });

  it('rejects a frame with segments but no MSH', () => {
    const { messages } = receive('PID|1||X^^^GH\rPV1|1|I\r');
    expect(messages.map((m) => [m.record.status, m.record.ackCode, m.record.controlId, m.record.reason])).toEqual([
      ['rejected', 'AR', null, [{ code: 100, text: 'not an HL7 message: no MSH segment' }]],
    ]);
  });

  it('rejects wrong encoding characters with location MSH-2, still echoing the sniffed MSH-10', () => {
    const { messages } = receive('MSH|^~&|ADT1|GH|SINEW|SINEW|20240101||ADT^A01|ENC1|P|2.5.1\rPID|1||X\r');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.subject).toEqual({ controlId: 'ENC1' });
    expect(messages[0]?.record).toMatchObject({ status: 'rejected', ackCode: 'AR', controlId: 'ENC1', processState: 'skipped' });
    expect(messages[0]?.record.reason).toEqual([{ code: 100, location: 'MSH-2', text: "MSH-2 '^~&' must be 4 or 5 encoding characters" }]);
  });

  it('rejects a truncated (oversized) receipt with code 104 and the control id sniffed from its head', () => {
    const head = Buffer.from(adt('BIG1').slice(0, 90));
    const { messages, batch } = receive(head, { truncated: true, totalBytes: 50 * 1024 * 1024 });
    expect(batch).toBe(false);
    expect(messages[0]?.subject).toEqual({ controlId: 'BIG1' });
    expect(messages[0]?.record).toMatchObject({ status: 'rejected', ackCode: 'AR', controlId: 'BIG1', charset: 'latin1', processState: 'skipped' });
    expect(messages[0]?.record.reason).toEqual([
      { code: 104, location: 'MSH', text: `message of ${50 * 1024 * 1024} bytes exceeds the maximum message size; only its first 90 bytes were kept` },
    ]);
    expect(messages[0]?.record.raw.equals(head)).toBe(true);
  });

  it('rejects an unsupported message type with AR 200 at MSH-9', () => {
    const { messages } = receive('MSH|^~\\&|A|B|C|D|20240101||ZZZ^Z01|Z1|P|2.5.1\rPID|1||X^^^B\r');
    expect(messages[0]?.record).toMatchObject({ status: 'rejected', ackCode: 'AR', controlId: 'Z1', messageType: 'ZZZ^Z01', processState: 'skipped' });
    expect(messages[0]?.record.reason).toEqual([{ code: 200, location: 'MSH-9', text: 'unsupported message type ZZZ^Z01 (structure ZZZ_Z01)' }]);
  });

  it('rejects an unknown type through structure validation when every structure has a handler (the app registers a fallback)', () => {
    const all = createClassifier(() => true);
    const { messages } = all.classify({ bytes: Buffer.from('MSH|^~\\&|A|B|C|D|20240101||ZZZ^Z01|Z2|P|2.5.1\r'), transport: 'mllp', receivedAt: RECEIVED });
    expect(messages[0]?.record.ackCode).toBe('AR');
    expect(messages[0]?.record.reason).toEqual([{ code: 200, location: 'MSH-9.1', text: 'unsupported message type ZZZ^Z01' }]);
  });

  it('stores a message missing a required segment as an error (AE) with the segment as location', () => {
    const text = 'MSH|^~\\&|A|B|C|D|20240101||ADT^A01|NOPID|P|2.5.1\rEVN|A01|20240101\rPV1|1|I\r';
    const { messages } = receive(text);
    expect(messages[0]?.record).toMatchObject({ status: 'error', ackCode: 'AE', controlId: 'NOPID', patientKey: null, processState: 'skipped' });
    expect(messages[0]?.record.reason).toEqual([{ code: 100, location: 'PID', text: 'ADT_A01 requires a PID segment' }]);
    expect(messages[0]?.record.raw.equals(Buffer.from(text))).toBe(true);
  });

  it('keeps the exact bytes and the charset of a Latin-1 message that says so in MSH-18', () => {
    const text = adt('L1', '\r', 'PID|1||P9^^^GH^MR||MÜLLER^JOSÉ||19610615|M').replace('|P|2.5.1\r', '|P|2.5.1|||AL|NE||8859/1\r');
    const bytes = Buffer.from(text, 'latin1');
    expect(bytes.includes(Buffer.from([0xdc]))).toBe(true); // Ü as one Latin-1 byte, not UTF-8
    const { messages } = receive(bytes);
    expect(messages[0]?.record).toMatchObject({ status: 'accepted', ackCode: 'AA', charset: 'iso-8859-1', controlId: 'L1', patientKey: 'GH|P9' });
    expect(messages[0]?.record.raw.equals(bytes)).toBe(true);
    expect(messages[0]?.record.sha256.equals(sha(bytes))).toBe(true);
    expect(messages[0]?.subject).toMatchObject({ charset: 'iso-8859-1', msh18: '8859/1', acceptAckType: 'AL' });
  });

  it('accepts a message behind a UTF-8 BOM and keeps the BOM in the stored bytes', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(adt('BOM1'))]);
    const { messages } = receive(bytes);
    expect(messages[0]?.record).toMatchObject({ status: 'accepted', controlId: 'BOM1', charset: 'utf8', patientKey: 'GH|P123' });
    expect(messages[0]?.record.raw.equals(bytes)).toBe(true);
  });

  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ])('accepts %s segment terminators', (_name, eol) => {
    const text = adt('EOL1', eol);
    const { messages } = receive(text);
    expect(messages.map((m) => [m.record.status, m.record.ackCode, m.record.controlId, m.record.patientKey, m.record.reason])).toEqual([
      ['accepted', 'AA', 'EOL1', 'GH|P123', null],
    ]);
    expect(messages[0]?.record.raw.equals(Buffer.from(text))).toBe(true);
  });

  it('splits an FHS/BHS batch of 3 into 3 records, each stored as its own UTF-8 bytes', () => {
    const members = ['B1', 'B2', 'B3'].map((id, i) => adt(id, '\r', `PID|1||M${i}^^^GH^MR||DOE^JANE||19610615|F`));
    const text = `FHS|^~\\&|ADT1|GH\rBHS|^~\\&|ADT1|GH\r${members.join('')}BTS|3\rFTS|1\r`;
    const { messages, batch } = receive(text);
    expect(batch).toBe(true);
    expect(messages.map((m) => [m.record.controlId, m.record.status, m.record.patientKey, m.record.charset])).toEqual([
      ['B1', 'accepted', 'GH|M0', 'utf8'],
      ['B2', 'accepted', 'GH|M1', 'utf8'],
      ['B3', 'accepted', 'GH|M2', 'utf8'],
    ]);
    // Distinct bytes per member: a resend of one member alone must hash like its batch copy.
    expect(new Set(messages.map((m) => m.record.sha256.toString('hex'))).size).toBe(3);
    expect(messages[1]?.record.raw.toString('utf8').startsWith('MSH|^~\\&|ADT1|GH|SINEW|SINEW|20240101120000||ADT^A01^ADT_A01|B2|')).toBe(true);
  });

  it('treats concatenated messages without batch headers as a batch too', () => {
    const { messages, batch } = receive(adt('N1') + adt('N2'));
    expect(batch).toBe(true);
    expect(messages.map((m) => m.record.controlId)).toEqual(['N1', 'N2']);
  });

  it.each([
    ['identifier with assigning authority', 'PID|1||P77^^^NORTHMRN^MR||DOE^JANE', 'NORTHMRN|P77'],
    ['identifier without authority: the sending facility scopes it', 'PID|1||P77||DOE^JANE', 'GH|P77'],
    ['first repetition wins', 'PID|1||A1^^^AUTH1~B2^^^AUTH2||DOE^JANE', 'AUTH1|A1'],
    ['no PID-3', 'PID|1||||DOE^JANE', null],
  ])('patientKey from PID-3: %s', (_name, pid, key) => {
    const { messages } = receive(adt('K1', '\r', pid));
    expect(messages[0]?.record.patientKey).toBe(key);
  });
});
