import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { FrameDecoder, wrapFrame } from '../../src/ingest/mllp/frame-decoder.js';
import { startSinew, waitForExit } from '../support/sinew-process.js';
import { ENGINES, createTestDatabase, type TestDatabase } from '../support/test-database.js';

const TOTAL = 2000;

function message(i: number): string {
  const id = String(i).padStart(6, '0');
  return [
    `MSH|^~\\&|ADT|NORTH|SINEW|SINEW|20260105101500||ADT^A04^ADT_A01|CRASH${id}|P|2.5.1`,
    `EVN|A04|20260105101500`,
    `PID|1||${id}^^^NORTH^MR||DOE${id}^JANE||19800101|F`,
    `PV1|1|O`,
  ].join('\r');
}

/**
 * Sends messages pipelined on one connection and records which were acknowledged AA. `onAck` may
 * kill the server; the promise then resolves with what was acknowledged before the connection died.
 */
function stream(port: number, ids: number[], onAck?: (acked: number) => void): Promise<Set<number>> {
  const acked = new Set<number>();
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20 });
    socket.on('data', (chunk) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind !== 'frame') continue;
        const msa = /MSA\|(\w\w)\|CRASH(\d+)/.exec(ev.payload.toString());
        if (msa && msa[1] === 'AA') acked.add(Number(msa[2]));
        onAck?.(acked.size);
        if (acked.size === ids.length) socket.end();
      }
    });
    socket.on('close', () => resolve(acked));
    socket.on('error', () => undefined);
    // A steady stream, not one burst, so the kill lands in the middle of it.
    let next = 0;
    const pump = () => {
      if (socket.destroyed) return;
      const batch = ids.slice(next, next + 25);
      next += batch.length;
      if (batch.length) socket.write(Buffer.concat(batch.map((i) => wrapFrame(message(i)))));
      if (next < ids.length) setTimeout(pump, 2);
    };
    socket.on('connect', pump);
  });
}

describe.each(ENGINES)('crash recovery on %s', (engine) => {
  let database: TestDatabase | undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sinew-crash-'));
  afterAll(async () => {
    await database?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('after SIGKILL mid-stream and a resend of what was not acknowledged, every acknowledged message is stored exactly once', async () => {
    let args = ['--data-dir', dataDir, '--auth', 'off'];
    if (engine === 'postgres') {
      database = await createTestDatabase('postgres');
      args = ['--database-url', database.url as string, '--auth', 'off'];
    }
    const all = Array.from({ length: TOTAL }, (_, i) => i);

    const first = await startSinew(args);
    let killed = false;
    const ackedBefore = await stream(first.mllp.port, all, (n) => {
      if (!killed && n >= 600) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    await waitForExit(first.child);
    expect(killed).toBe(true);
    expect(ackedBefore.size).toBeGreaterThanOrEqual(600);
    expect(ackedBefore.size).toBeLessThan(TOTAL);

    // The sender's duty after a lost connection: resend everything without an ACK.
    const second = await startSinew(args);
    const unacked = all.filter((i) => !ackedBefore.has(i));
    const ackedAfter = await stream(second.mllp.port, unacked);
    expect(ackedAfter.size).toBe(unacked.length);
    second.child.kill('SIGTERM');
    expect(await waitForExit(second.child)).toBe(0);

    const check = database ?? (await openDatabase({ dataDir }));
    try {
      const { rows } = await sql<{ control_id: string; n: number }>`
        SELECT control_id, count(*)::int AS n FROM hl7_message WHERE duplicate_of IS NULL GROUP BY control_id`.execute(check.db);
      const counts = new Map(rows.map((r) => [r.control_id, r.n]));
      expect(counts.size).toBe(TOTAL);
      for (const i of ackedBefore) expect(counts.get(`CRASH${String(i).padStart(6, '0')}`)).toBe(1);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      // Processing after the store may lag (a killed worker's claims wait for their lease); none failed.
      const states = await sql<{ status: string; n: number }>`
        SELECT status, count(*)::int AS n FROM hl7_message WHERE duplicate_of IS NULL GROUP BY status`.execute(check.db);
      expect(states.rows).toEqual([{ status: 'accepted', n: TOTAL }]);
    } finally {
      if (!database) await check.close();
    }
  }, 180_000);
});
