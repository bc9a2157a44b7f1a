import { describe, it, expect } from '@jest/globals';
import fc from 'fast-check';
import { readFhirJson, type FhirJsonItem, type JsonLimits } from './json-file-reader.js';

async function* cut(bytes: Buffer, cuts: number[]): AsyncGenerator<Buffer> {
  let at = 0;
  for (const c of [...new Set(cuts)].filter((k) => k > 0 && k < bytes.length).sort((a, b) => a - b)) {
    yield bytes.subarray(at, c);
    at = c;
  }
  yield bytes.subarray(at);
}

async function read(text: string | Buffer, cuts: number[] = [], limits: Partial<JsonLimits> = {}): Promise<FhirJsonItem[]> {
  const items: FhirJsonItem[] = [];
  for await (const i of readFhirJson(cut(Buffer.isBuffer(text) ? text : Buffer.from(text), cuts), limits)) items.push(i);
  return items;
}

const patient = { resource: { resourceType: 'Patient', id: 'p"1}', name: [{ text: 'Zoë ]}{\\"' }] } };

describe('readFhirJson', () => {
  it('streams a Bundle as header, entries, then members after entry', async () => {
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [patient, { resource: { resourceType: 'Observation' } }], signature: { who: {} } };
    expect(await read(JSON.stringify(bundle, null, 2))).toEqual([
      { kind: 'bundle', value: { resourceType: 'Bundle', type: 'collection' } },
      { kind: 'entry', index: 0, value: patient },
      { kind: 'entry', index: 1, value: { resource: { resourceType: 'Observation' } } },
      { kind: 'bundle-trailer', value: { signature: { who: {} } } },
    ]);
  });

  it('reads a non-Bundle resource whole, including a List whose entry is not a Bundle entry', async () => {
    const list = { resourceType: 'List', entry: [{ item: { reference: 'Patient/1' } }] };
    expect(await read(JSON.stringify(list))).toEqual([{ kind: 'resource', value: list }]);
  });

  it('reads a Bundle whose resourceType comes after entry whole, with the same items', async () => {
    const items = await read(JSON.stringify({ entry: [patient], resourceType: 'Bundle' }));
    expect(items).toEqual([
      { kind: 'bundle', value: { resourceType: 'Bundle' } },
      { kind: 'entry', index: 0, value: patient },
    ]);
  });

  it('reports bad entries by index and carries on', async () => {
    const items = await read('{"resourceType":"Bundle","entry":[1, {"a": tru}, ["x"], {"b":2}, "s"]}', [], {});
    expect(items.slice(1).map((i) => (i.kind === 'entry' ? [i.index, i.error ?? i.value] : i))).toEqual([
      [0, 'Bundle.entry[0] is not a JSON object'],
      [1, expect.stringMatching(/^Bundle.entry\[1\]: /)],
      [2, 'Bundle.entry[2] is not a JSON object'],
      [3, { b: 2 }],
      [4, 'Bundle.entry[4] is not a JSON object'],
    ]);
  });

  it('refuses an entry or a document over the limit without keeping it', async () => {
    const big = JSON.stringify({ resourceType: 'Bundle', entry: [{ x: 'y'.repeat(5000) }, { z: 1 }] });
    expect((await read(big, [100, 200, 3000], { maxEntryChars: 1000 })).slice(1)).toEqual([
      { kind: 'entry', index: 0, error: 'Bundle.entry[0] is larger than the limit of 1000 characters' },
      { kind: 'entry', index: 1, value: { z: 1 } },
    ]);
    const doc = JSON.stringify({ resourceType: 'Binary', data: 'A'.repeat(5000) });
    expect(await read(doc, [1000, 2000, 3000], { maxDocumentChars: 1000 })).toEqual([
      { kind: 'error', error: 'the document (without Bundle entries) is larger than the limit of 1000 characters' },
    ]);
  });

  it('reports truncated, empty, non-object and non-FHIR documents', async () => {
    expect(await read('{"resourceType":"Bundle","entry":[{"a":1}')).toEqual([
      { kind: 'bundle', value: { resourceType: 'Bundle' } },
      { kind: 'entry', index: 0, value: { a: 1 } },
      { kind: 'error', error: 'the JSON ends before it is complete (truncated file?)' },
    ]);
    expect(await read('  ')).toEqual([{ kind: 'error', error: 'the file is empty' }]);
    expect(await read('{"a":1}')).toEqual([{ kind: 'error', error: 'the JSON object has no "resourceType"' }]);
    expect((await read('{"resourceType":"Patient"}{}'))[0]).toMatchObject({ kind: 'error' });
  });

  it('drops a BOM', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"resourceType":"Patient"}')]);
    expect(await read(bytes, [1, 2])).toEqual([{ kind: 'resource', value: { resourceType: 'Patient' } }]);
  });

  it('matches JSON.parse for random Bundles under random chunking and indentation', () => {
    const entry = fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });
    const bundle = fc.record({ id: fc.string(), total: fc.nat(), entry: fc.array(entry, { maxLength: 6 }) });
    return fc.assert(
      fc.asyncProperty(bundle, fc.constantFrom(0, 1, '\t'), fc.array(fc.nat(2000), { maxLength: 20 }), async (b, indent, cuts) => {
        const doc = { resourceType: 'Bundle', ...b };
        const items = await read(JSON.stringify(doc, null, indent), cuts);
        const { entry, ...header } = JSON.parse(JSON.stringify(doc)) as typeof doc;
        expect(items).toEqual([{ kind: 'bundle', value: header }, ...entry.map((value, index) => ({ kind: 'entry', index, value }))]);
      }),
      { numRuns: 300 },
    );
  });
});
