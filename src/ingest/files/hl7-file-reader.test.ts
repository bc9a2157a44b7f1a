import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { HL7_CORPUS } from '../../../test/support/paths.js';
import { decodeHl7Bytes } from '../hl7v2/decode.js';
import { splitMessages } from '../hl7v2/batch.js';
import { readHl7Messages, type Hl7FileItem } from './hl7-file-reader.js';
import { Hl7ByteSplitter } from './hl7-byte-splitter.js';

const A = 'MSH|^~\\&|LAB|H1|||20240101||ORU^R01|1|P|2.5\rPID|1||123\rOBX|1|TX|||see MSH|x';
const B = 'MSH|^~\\&|ADT|H2|||20240101||ADT^A01|2|P|2.5\rPID|1||456';

async function* chunked(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const cut of [...new Set(cuts)].filter((c) => c > 0 && c < bytes.length).sort((a, b) => a - b)) {
    yield bytes.subarray(at, cut);
    at = cut;
  }
  yield bytes.subarray(at);
}

async function read(input: Buffer | string, cuts: number[] = [], maxMessageBytes?: number): Promise<Hl7FileItem[]> {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const items: Hl7FileItem[] = [];
  for await (const item of readHl7Messages(chunked(bytes, cuts), maxMessageBytes ? { maxMessageBytes } : {})) items.push(item);
  return items;
}

function texts(items: Hl7FileItem[]): string[] {
  return items.flatMap((i) => (i.kind === 'message' ? [i.bytes.toString('latin1')] : []));
}

describe('readHl7Messages', () => {
  it('splits concatenated messages with offsets and line numbers, keeping interior bytes', async () => {
    const file = `${A.replaceAll('\r', '\n')}\n${B.replaceAll('\r', '\r\n')}\r\n\r\n`;
    const items = await read(file);
    expect(texts(items)).toEqual([A.replaceAll('\r', '\n'), B.replaceAll('\r', '\r\n')]);
    expect(items.map((i) => (i.kind === 'message' ? [i.offset, i.line] : i.kind))).toEqual([
      [0, 1],
      [A.length + 1, 4],
    ]);
  });

  it('accepts CR, LF, CRLF and mixed terminators; only MSH + separator at a line start begins a message', async () => {
    const file = `MSH|^~\\&|X\rPID|1\nOBX|1|TX|||MSH|no\r\nMSHX|not a start\n\rMSH|^~\\&|Y\r\n`;
    expect(texts(await read(file))).toEqual(['MSH|^~\\&|X\rPID|1\nOBX|1|TX|||MSH|no\r\nMSHX|not a start', 'MSH|^~\\&|Y']);
  });

  it('drops a UTF-8 BOM at the start and before a concatenated file', async () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const file = Buffer.concat([bom, Buffer.from(`${A}\r`), bom, Buffer.from(`${B}\r`)]);
    const items = await read(file);
    expect(texts(items)).toEqual([A, B]);
    expect(items[0]).toMatchObject({ offset: 3 });
  });

  it('reports text before the first MSH with its size, and never a lone BOM or blank lines', async () => {
    const items = await read(`garbage line\r\n\r\n${A}`);
    expect(items[0]).toEqual({ kind: 'skipped', offset: 0, bytes: 16, reason: '16 bytes of text before the first MSH segment' });
    expect(texts(items)).toEqual([A]);
    expect(await read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`\r\n${A}`)]))).toHaveLength(1);
  });

  it('takes off FHS/BHS/BTS/FTS envelopes and accepts correct counts silently', async () => {
    const file = `FHS|^~\\&|F\rBHS|^~\\&|B\r${A}\r${B}\rBTS|2\rFTS|1\r`;
    expect(await read(file)).toEqual([expect.objectContaining({ kind: 'message' }), expect.objectContaining({ kind: 'message' })]);
  });

  it('warns, with the wording of splitMessages, when BTS-1 or FTS-1 disagree', async () => {
    const file = `FHS|^~\\&\rBHS|^~\\&\r${A}\rBTS|3\rFTS|2\r`;
    const warnings = (await read(file)).filter((i) => i.kind === 'warning').map((i) => (i.kind === 'warning' ? i.reason : ''));
    expect(warnings).toEqual(splitMessages(file).issues);
    expect(warnings).toHaveLength(2);
  });

  it('reports lines after a BTS that are not a message', async () => {
    const items = await read(`BHS|^~\\&\r${A}\rBTS|1\rjunk\r${B}`);
    expect(items.map((i) => i.kind)).toEqual(['message', 'skipped', 'message']);
  });

  it('accepts an MLLP-framed dump', async () => {
    const frame = (m: string): string => `\x0b${m}\r\x1c\r`;
    const items = await read(`${frame(A)}${frame(B)}\n`);
    expect(items.map((i) => i.kind)).toEqual(['message', 'message']);
    expect(texts(items)).toEqual([A, B]);
    expect(items[1]).toMatchObject({ offset: A.length + 4 + 1 });
  });

  it('skips a message over maxMessageBytes without keeping it, and carries on', async () => {
    const big = `MSH|^~\\&|BIG\r${'OBX|1|ED|||'.padEnd(5_000_000, 'A')}\r`;
    const file = Buffer.from(`${A}\r${big}${B}`);
    const cuts = Array.from({ length: 100 }, (_, k) => k * 65536);
    const items = await read(file, cuts, 1_000_000);
    expect(items.map((i) => i.kind)).toEqual(['message', 'skipped', 'message']);
    expect(items[1]).toMatchObject({ offset: A.length + 1, bytes: big.length });
    expect(items[1]!.kind === 'skipped' && items[1]!.reason).toMatch(/larger than the limit of 1000000 bytes/);
    expect(texts(items)).toEqual([A, B]);
  });

  it('drops only trailing whitespace-only lines, not spaces ending the last field', async () => {
    expect(texts(await read(`${A}  \r  \r\n\t\r`))).toEqual([`${A}  `]);
  });

  it('gives the same items for any chunking (random files, random cuts)', () => {
    const piece = fc.constantFrom(A, B, 'FHS|^~\\&', 'BHS|^~\\&', 'BTS|1', 'FTS|1', 'junk', 'MSHX', '', ' ', 'OBX|1|TX|||x');
    const term = fc.constantFrom('\r', '\n', '\r\n', '\n\r', '\r\x1c\r\x0b', '\r\n\r\n');
    const prefix = fc.constantFrom('', '\ufeff', '\x0b');
    const file = fc
      .tuple(prefix, fc.array(fc.tuple(piece, term), { maxLength: 12 }))
      .map(([p, parts]) => Buffer.from(p + parts.map(([s, t]) => s.replaceAll('\r', t) + t).join(''), 'utf8'));
    return fc.assert(
      fc.asyncProperty(file, fc.array(fc.nat(400), { maxLength: 30 }), async (bytes, cuts) => {
        expect(await read(bytes, cuts)).toEqual(await read(bytes));
        // Every byte offset as a cut: one byte per chunk.
        expect(await read(bytes, Array.from({ length: bytes.length }, (_, k) => k))).toEqual(await read(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with splitMessages on random files', () => {
    const line = fc.constantFrom('PID|1||9', 'OBX|1|TX|||MSH|x', 'NTE|1', 'not a segment', '  ');
    const message = fc.array(line, { maxLength: 4 }).map((ls) => ['MSH|^~\\&|S|F', ...ls].join('\r'));
    const term = fc.constantFrom('\r', '\n', '\r\n');
    return fc.assert(
      fc.asyncProperty(fc.array(message, { minLength: 1, maxLength: 6 }), term, async (messages, t) => {
        const file = Buffer.from(messages.map((m) => m.replaceAll('\r', t)).join(t) + t);
        const streamed = texts(await read(file)).map((m) => splitMessages(m).messages);
        expect(streamed.map((m) => m.length)).toEqual(messages.map(() => 1));
        expect(streamed.flat()).toEqual(splitMessages(file.toString()).messages);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects a bad limit', () => {
    expect(() => new Hl7ByteSplitter({ maxMessageBytes: 0 })).toThrow(RangeError);
  });
});

/** Message files as in ../hl7v2/corpus.test.ts. */
function messageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return messageFiles(p);
    return /\.(hl7|hl7v2)$/.test(e.name) || /^Message\.hl7_.*\.txt$/.test(e.name) ? [p] : [];
  });
}

describe('readHl7Messages over the HL7v2 corpus', () => {
  const files = messageFiles(HL7_CORPUS);

  it('finds the corpus', () => expect(files.length).toBeGreaterThanOrEqual(320));

  it.each(files.map((f, k) => [path.relative(HL7_CORPUS, f), f, [1, 7, 64, 4096][k % 4]!] as const))(
    '%s streams to the messages of splitMessages(decode(whole file))',
    async (_rel, file, chunk) => {
      const whole = readFileSync(file);
      const expected = splitMessages(decodeHl7Bytes(whole).text).messages;
      const cuts = Array.from({ length: Math.ceil(whole.length / chunk) }, (_, k) => k * chunk);
      const items = await read(whole, cuts);
      const streamed = items.flatMap((i) => (i.kind === 'message' ? splitMessages(decodeHl7Bytes(i.bytes).text).messages : []));
      expect(streamed).toEqual(expected);
      expect(items.filter((i) => i.kind === 'message')).toHaveLength(expected.length);
    },
  );
});
