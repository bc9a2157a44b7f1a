import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HL7_CORPUS } from '../../../test/support/paths.js';
import { splitMessages } from './batch.js';

const A = 'MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5\rPID|1||X';
const B = 'MSH|^~\\&|A|B|C|D|1||ADT^A01|2|P|2.5\rPID|1||Y';

describe('splitMessages', () => {
  it('normalises CR, LF, CRLF, mixed and trailing terminators', () => {
    expect(splitMessages(`${A}\r`).messages).toEqual([A]);
    expect(splitMessages(A.replace('\r', '\n') + '\n\n').messages).toEqual([A]);
    expect(splitMessages(`${A.replace('\r', '\r\n')}\r\n${B.replace('\r', '\n')}\r`).messages).toEqual([A, B]);
  });

  it('splits concatenated messages at each MSH', () => {
    const r = splitMessages(`${A}\n${B}\n`);
    expect(r.messages).toEqual([A, B]);
    expect(r.batch).toBeUndefined();
    expect(r.issues).toEqual([]);
  });

  it('never splits on MSH text inside a field', () => {
    const m = `${A}\rOBX|1|ST|X||MSH|x\rOBX|2|ST|X||xMSHx`;
    expect(splitMessages(m).messages).toEqual([m]);
  });

  it('strips the FHS/BHS/BTS/FTS envelope and checks the counts', () => {
    const ok = splitMessages(`FHS|^~\\&|F\nBHS|^~\\&|B\n${A}\n${B}\nBTS|2\nFTS|1\n`);
    expect(ok.messages).toEqual([A, B]);
    expect(ok.batch).toEqual({ fhs: 'FHS|^~\\&|F', bhs: ['BHS|^~\\&|B'], declaredCount: 2 });
    expect(ok.issues).toEqual([]);
    const bad = splitMessages(`BHS|^~\\&|B\r${A}\rBTS|3\rFTS|2`);
    expect(bad.messages).toHaveLength(1);
    expect(bad.issues).toEqual(['BTS-1 declares 3 messages but the batch has 1', 'FTS-1 declares 2 batches but the file has 1']);
  });

  it('joins a line that is not a segment back to its segment and reports it', () => {
    const r = splitMessages(`${A}\rOBX|1|ED|X||^AP^PDF^Base64^JVBE\rA0KJ==||||F\rOBX|2|ST|Y||z\r`);
    expect(r.messages).toHaveLength(1);
    expect(r.messages[0]).toContain('JVBE\rA0KJ==||||F');
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toContain('OBX');
  });

  it('reports lines before the first MSH', () => {
    expect(splitMessages(`EVN|A01\r${A}`).issues).toEqual(['1 line(s) before the first MSH segment were ignored']);
    expect(splitMessages('no hl7 here').messages).toEqual([]);
  });

  it('splits the corpus batch files', () => {
    const nodeBatch = splitMessages(readFileSync(path.join(HL7_CORPUS, 'node-hl7-client/batch.hl7'), 'utf8'));
    expect(nodeBatch.messages).toHaveLength(2);
    expect(nodeBatch.messages[1]).toContain('OBX||||MSH||||MSH');
    expect(nodeBatch.batch?.fhs).toMatch(/^FHS/);
    const rs = splitMessages(readFileSync(path.join(HL7_CORPUS, 'cdc-prime-reportstream/misc/batch_message.hl7'), 'utf8'));
    expect(rs.messages).toHaveLength(2);
    expect(rs.batch?.declaredCount).toBe(2);
    expect(rs.issues).toEqual([]);
  });
});
