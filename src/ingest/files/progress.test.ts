import { describe, it, expect } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { countBytes, createProgress, formatSummary } from './progress.js';

function sink(isTTY: boolean): PassThrough & { isTTY: boolean; text: () => string } {
  const s = new PassThrough() as PassThrough & { isTTY: boolean; text: () => string; columns: number };
  const parts: string[] = [];
  s.on('data', (d: Buffer) => parts.push(d.toString()));
  s.isTTY = isTTY;
  s.columns = 120;
  s.text = () => parts.join('');
  return s;
}

describe('formatSummary', () => {
  it('is exactly the INTERFACE.md line', () => {
    expect(formatSummary({ accepted: 3, duplicate: 1, error: 0, rejected: 2 })).toBe('accepted 3, duplicate 1, error 0, rejected 2');
  });
});

describe('createProgress', () => {
  it('without a terminal writes one plain line per interval and nothing in between', async () => {
    let t = 0;
    const out = sink(false);
    const p = createProgress({ totalBytes: 2 * 1024 * 1024, stream: out, now: () => t });
    p.addBytes(1024 * 1024);
    p.addMessages(10);
    t = 10_000;
    p.addMessages(10);
    t = 15_000;
    p.addBytes(1024 * 1024);
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(out.text()).toBe('import: 1.0 of 2.0 MB (50%), 20 messages, 2/s\n');
  });

  it('on a terminal draws a bar by bytes with the message rate', async () => {
    const out = sink(true);
    const p = createProgress({ totalBytes: 100, stream: out });
    p.addMessages(5);
    p.addBytes(100);
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(out.text()).toMatch(/100% \| 0\.0\/0\.0 MB \| 5 messages/);
  });
});

describe('countBytes', () => {
  it('passes chunks through and counts them', async () => {
    let n = 0;
    const seen: Buffer[] = [];
    async function* src(): AsyncGenerator<Buffer> {
      yield Buffer.from('abc');
      yield Buffer.from('de');
    }
    for await (const c of countBytes(src(), (k) => (n += k))) seen.push(c);
    expect(Buffer.concat(seen).toString()).toBe('abcde');
    expect(n).toBe(5);
  });
});
