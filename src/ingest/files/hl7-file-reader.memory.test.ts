import { describe, it, expect } from '@jest/globals';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import { readHl7Messages } from './hl7-file-reader.js';

const FILE_BYTES = 200 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** A ~200 MB file of ORU messages written in 4 MB blocks, so the test itself never holds it. */
async function writeBigFile(file: string): Promise<number> {
  const message = (n: number): string =>
    `MSH|^~\\&|LAB|H1|||20240101120000||ORU^R01|${n}|P|2.5\r\nPID|1||${n}^^^H1^MR||DOE^JANE\r\n` +
    `OBR|1||${n}|24331-1^Lipid panel^LN\r\n${'OBX|1|NM|2093-3^Cholesterol^LN||182|mg/dL|||||F\r\n'.repeat(6)}`;
  const out = createWriteStream(file);
  let written = 0;
  let n = 0;
  while (written < FILE_BYTES) {
    const parts: string[] = [];
    let size = 0;
    while (size < 4 * 1024 * 1024) {
      const m = message(n++);
      parts.push(m);
      size += m.length;
    }
    if (!out.write(parts.join(''))) await once(out, 'drain');
    written += size;
  }
  out.end();
  await once(out, 'finish');
  return n;
}

describe('readHl7Messages on a 200 MB file', () => {
  it('streams it in 64 KiB chunks with bounded memory', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sinew-import-'));
    const file = path.join(dir, 'big.hl7');
    try {
      const written = await writeBigFile(file);
      expect((await stat(file)).size).toBeGreaterThanOrEqual(FILE_BYTES);
      global.gc?.();
      const before = process.memoryUsage().rss;
      let peak = before;
      let count = 0;
      let lastOffset = -1;
      for await (const item of readHl7Messages(createReadStream(file, { highWaterMark: CHUNK }))) {
        if (item.kind !== 'message') throw new Error(`unexpected ${item.kind}`);
        if (item.offset <= lastOffset) throw new Error('offsets must increase');
        lastOffset = item.offset;
        if (++count % 2000 === 0) peak = Math.max(peak, process.memoryUsage().rss);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      expect(count).toBe(written);
      expect(peak - before).toBeLessThan(100 * 1024 * 1024);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
