/**
 * Writing the feed to disk and replaying it over MLLP. The sender is node-hl7-client, deliberately
 * independent of Sinew's own MLLP code so the two can test each other.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client, Message, type Connection, type InboundResponse } from 'node-hl7-client';
import { hashSeed } from './random.js';
import type { SimMessage, SimulateResult } from './types.js';

/**
 * Writes DIR/feed.hl7 and DIR/truth.json. Each message keeps its `\r` segment terminators and is
 * followed by one `\n`, so the file splits cleanly for CR- and LF-tolerant readers alike.
 */
export async function writeFeed(result: SimulateResult, outDir: string): Promise<{ feedPath: string; truthPath: string }> {
  await mkdir(outDir, { recursive: true });
  const feedPath = join(outDir, 'feed.hl7');
  const truthPath = join(outDir, 'truth.json');
  await writeFile(feedPath, result.messages.map((m) => `${m.text}\n`).join(''), 'utf8');
  await writeFile(truthPath, `${JSON.stringify(result.truth, null, 2)}\n`, 'utf8');
  return { feedPath, truthPath };
}

export interface SendFeedOptions {
  /** Parallel MLLP connections (default 4). One person's messages always share a connection. */
  connections?: number;
  onAck?: (ack: string, msg: SimMessage) => void;
  /** Per-message wait for connect or ACK before giving up (default 10 s). */
  timeoutMs?: number;
}

export interface SendFeedResult {
  sent: number;
  /** Count of ACKs by MSA-1 (AA, AE, AR, CA, ...). */
  acks: Record<string, number>;
}

function partitionKey(m: SimMessage): string {
  if (m.personId) return m.personId;
  const pidLine = m.text.split('\r').find((s) => s.startsWith('PID|'));
  return pidLine?.split('|')[3]?.split('^')[0] ?? m.controlId;
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`sendFeed: timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function parseTarget(url: string): { host: string; port: number } {
  const u = new URL(url);
  const port = Number(u.port);
  if (u.protocol !== 'mllp:' || !u.hostname || !port) throw new Error(`sendFeed: expected mllp://host:port, got ${url}`);
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port };
}

/**
 * Sends messages over MLLP, one in flight per connection (node-hl7-client's waitAck mode), so each
 * person's messages arrive in feed order even with several connections.
 */
export async function sendFeed(messages: SimMessage[], url: string, opts: SendFeedOptions = {}): Promise<SendFeedResult> {
  const { host, port } = parseTarget(url);
  const lanes = Math.max(1, Math.min(opts.connections ?? 4, messages.length || 1));
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const partitions: SimMessage[][] = Array.from({ length: lanes }, () => []);
  for (const m of messages) partitions[hashSeed(0, partitionKey(m)) % lanes].push(m);

  const acks: Record<string, number> = {};
  let sent = 0;
  const client = new Client({ host });

  async function lane(batch: SimMessage[]): Promise<void> {
    if (!batch.length) return;
    let waiting: ((res: InboundResponse) => void) | undefined;
    const conn: Connection = client.createConnection({ port, waitAck: true, maxConnectionAttempts: 1 }, (res) => {
      waiting?.(res);
    });
    try {
      await withTimeout(new Promise<void>((resolve) => conn.once('connect', () => resolve())), timeoutMs, `connect to ${url}`);
      for (const m of batch) {
        const reply = new Promise<InboundResponse>((resolve) => (waiting = resolve));
        await conn.sendMessage(new Message({ text: m.text }));
        sent++;
        const res = await withTimeout(reply, timeoutMs, `ACK of ${m.controlId}`);
        const ack = res.getMessage();
        const code = ack.get('MSA.1').toString() || 'none';
        acks[code] = (acks[code] ?? 0) + 1;
        opts.onAck?.(ack.toString(), m);
      }
    } finally {
      waiting = undefined;
      await conn.close();
    }
  }

  try {
    await Promise.all(partitions.map(lane));
  } finally {
    client.closeAll();
  }
  return { sent, acks };
}
