import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { readNdjson, type NdjsonItem } from './ndjson-reader.js';

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function read(bytes: Buffer | string, size = 1 << 16, maxLineBytes?: number): Promise<NdjsonItem[]> {
  const items: NdjsonItem[] = [];
  const buf = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  for await (const item of readNdjson(chunks(buf, size), maxLineBytes ? { maxLineBytes } : {})) items.push(item);
  return items;
}

describe('readNdjson', () => {
  it('parses line by line, reporting a bad line by number and carrying on', async () => {
    const items = await read('{"resourceType":"Patient","id":"1"}\r\n\n{"id": oops}\n[1]\n{"id":"4","name":"Zoë"}');
    expect(items[0]).toEqual({ line: 1, value: { resourceType: 'Patient', id: '1' } });
    expect(items[1]).toMatchObject({ line: 3, error: expect.stringMatching(/^line 3: /) });
    expect(items[2]).toEqual({ line: 4, error: 'line 4 is not a JSON object' });
    expect(items[3]).toEqual({ line: 5, value: { id: '4', name: 'Zoë' } });
  });

  it('drops a BOM, and reports invalid UTF-8 on its line', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}\n{"b":"'), Buffer.from([0xff]), Buffer.from('"}\n')]);
    expect(await read(bytes)).toEqual([{ line: 1, value: { a: 1 } }, { line: 2, error: 'line 2 is not valid UTF-8' }]);
  });

  it('reports an over-long line without keeping it', async () => {
    const items = await read(`{"a":"${'x'.repeat(5000)}"}\n{"b":2}\n`, 100, 1000);
    expect(items).toEqual([{ line: 1, error: 'line 1 is longer than the limit of 1000 bytes' }, { line: 2, value: { b: 2 } }]);
  });

  it('gives the same items for any chunk size, with multi-byte characters cut anywhere', () =>
    fc.assert(
      fc.asyncProperty(fc.array(fc.dictionary(fc.string(), fc.string({ unit: 'grapheme' })), { maxLength: 8 }), fc.integer({ min: 1, max: 50 }), async (objs, size) => {
        const bytes = Buffer.from(objs.map((o) => JSON.stringify(o)).join('\n'));
        const items = await read(bytes, size);
        expect(items.map((i) => i.value)).toEqual(objs);
      }),
      { numRuns: 200 },
    ));
});
