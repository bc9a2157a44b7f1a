import { describe, it, expect } from '@jest/globals';
import { createServer, type Server, type Socket } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateHospital } from './simulate.js';
import { sendFeed, writeFeed } from './feed.js';

const VT = 0x0b;
const FS = 0x1c;
const CR = 0x0d;

/** Minimal MLLP echo listener: frames on VT…FS CR, answers AA (or AE for every 7th message). */
function startEcho(received: string[], aeEvery = 0): Promise<{ server: Server; port: number }> {
  const server = createServer((socket: Socket) => {
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const start = buf.indexOf(VT);
        const end = buf.indexOf(Buffer.from([FS, CR]), start + 1);
        if (start < 0 || end < 0) break;
        const text = buf.subarray(start + 1, end).toString('utf8');
        buf = buf.subarray(end + 2);
        received.push(text);
        const controlId = text.split('\r')[0].split('|')[9];
        const code = aeEvery && received.length % aeEvery === 0 ? 'AE' : 'AA';
        const ack = `MSH|^~\\&|ECHO|TEST|SINEW|SINEW|20260105000000||ACK|A${controlId}|P|2.5.1\rMSA|${code}|${controlId}\r`;
        socket.write(Buffer.concat([Buffer.from([VT]), Buffer.from(ack, 'utf8'), Buffer.from([FS, CR])]));
      }
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const addr = server.address();
    resolve({ server, port: typeof addr === 'object' && addr ? addr.port : 0 });
  }));
}

describe('sendFeed', () => {
  it('delivers every message over MLLP, per-person order kept, and counts ACKs', async () => {
    const { messages } = simulateHospital({ patients: 12, days: 2, seed: 7 });
    const received: string[] = [];
    const { server, port } = await startEcho(received);
    const acked: string[] = [];
    try {
      const result = await sendFeed(messages, `mllp://127.0.0.1:${port}`, {
        connections: 3,
        onAck: (ack, msg) => {
          expect(ack).toContain(`MSA|AA|${msg.controlId}`);
          acked.push(msg.controlId);
        },
      });
      expect(result).toEqual({ sent: messages.length, acks: { AA: messages.length } });
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(received).toHaveLength(messages.length);
    expect(new Set(acked)).toEqual(new Set(messages.map((m) => m.controlId)));
    const byId = new Map(messages.map((m) => [m.controlId, m]));
    const seen = new Map<string, number>();
    for (const text of received) {
      const id = text.split('|')[9];
      const m = byId.get(id);
      expect(text.trimEnd()).toBe(m?.text.trimEnd());
      // Within one person, arrival order must equal feed order.
      const prev = seen.get(m?.personId ?? '') ?? 0;
      expect(m?.seq).toBeGreaterThan(prev);
      seen.set(m?.personId ?? '', m?.seq ?? 0);
    }
  });

  it('tallies negative ACKs by MSA-1', async () => {
    const { messages } = simulateHospital({ patients: 3, days: 1, seed: 3 });
    const { server, port } = await startEcho([], 7);
    try {
      const result = await sendFeed(messages, `mllp://127.0.0.1:${port}`, { connections: 1 });
      expect(result.sent).toBe(messages.length);
      expect(result.acks.AE).toBe(Math.floor(messages.length / 7));
      expect((result.acks.AA ?? 0) + result.acks.AE).toBe(messages.length);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('rejects a target that is not mllp://host:port', async () => {
    await expect(sendFeed([], 'http://localhost:80')).rejects.toThrow(/mllp/);
  });
});

describe('writeFeed', () => {
  it('writes feed.hl7 (CR segments, LF between messages) and pretty truth.json', async () => {
    const result = simulateHospital({ patients: 5, days: 2, seed: 11 });
    const dir = await mkdtemp(join(tmpdir(), 'sinew-sim-'));
    try {
      const { feedPath, truthPath } = await writeFeed(result, join(dir, 'out'));
      const feed = await readFile(feedPath, 'utf8');
      const chunks = feed.split('\n').filter(Boolean);
      expect(chunks).toEqual(result.messages.map((m) => m.text));
      const truth = JSON.parse(await readFile(truthPath, 'utf8'));
      expect(truth).toEqual(JSON.parse(JSON.stringify(result.truth)));
      expect(await readFile(truthPath, 'utf8')).toContain('\n  "persons"');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
