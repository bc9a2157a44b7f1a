/**
 * npm run bench:ingest — messages per second stored and acknowledged over MLLP by a real `sinew
 * serve` process on PostgreSQL (4 connections, simulator feed), ACK latency at a steady 500 msg/s,
 * and, in the same run, the parse-only ceiling of the same messages and the host's fsync time.
 * BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) names the server.
 */
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClassifier } from '../src/ingest/classify.js';
import { isKnownStructure } from '../src/ingest/structure-handler.js';
import { FrameDecoder, wrapFrame } from '../src/ingest/mllp/frame-decoder.js';
import { simulateHospital } from '../src/simulate/index.js';
import { freshDatabase, fsyncMillis, machine, percentile } from './bench-support.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SERVER = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function main(): Promise<void> {
  const feed = simulateHospital({ patients: 1000, days: 7, seed: 1 }).messages.map((m) => Buffer.from(m.text, 'utf8'));
  const frames = feed.map((m) => wrapFrame(m));
  // The latency run needs messages the store has not seen: resends would time the duplicate path.
  const steadyFrames = simulateHospital({ patients: 1000, days: 7, seed: 2 }).messages.map((m) => wrapFrame(Buffer.from(m.text, 'utf8')));
  const parseRate = parseOnly(feed);
  const fsync = fsyncMillis();
  const db = await freshDatabase(SERVER, 'sinew_bench_ingest');
  const results: string[] = [];
  try {
    {
      // Latency first, on an empty store: after a 35,000-message burst the server is busy with
      // checkpoints and autovacuum for a while, which would time PostgreSQL's housekeeping instead.
      const server = await serve(db.url, 'off');
      try {
        const l = await steadyLatency(server.port, steadyFrames, 500, 10);
        results.push(`| ACK latency at a steady 500 msg/s (10 s, 1 connection, empty store) | p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms |`);
      } finally {
        await server.stop();
      }
      await db.drop();
      Object.assign(db, await freshDatabase(SERVER, 'sinew_bench_ingest'));
    }
    for (const worker of ['off', 'on'] as const) {
      const server = await serve(db.url, worker);
      try {
        const t = await throughput(server.port, frames, 4);
        results.push(`| stored + acknowledged, 4 connections, worker ${worker} | ${Math.round(t.rate).toLocaleString('en')} msg/s (${t.count} messages) |`);
      } finally {
        await server.stop();
      }
      // Each run starts from an empty store so duplicates do not flatter the second one.
      await db.drop();
      Object.assign(db, await freshDatabase(SERVER, 'sinew_bench_ingest'));
    }
  } finally {
    await db.drop();
  }
  process.stdout.write(
    [
      `machine: ${await machine(SERVER)}`,
      '',
      '| measure | result |',
      '|---|---|',
      `| parse-only ceiling (decode, split, parse, classify; one core, in process) | ${Math.round(parseRate).toLocaleString('en')} msg/s |`,
      ...results,
      `| host fsync (8 KiB write + fdatasync, median) | ${fsync.toFixed(2)} ms |`,
      '',
    ].join('\n'),
  );
}

function parseOnly(messages: Buffer[]): number {
  const classifier = createClassifier(isKnownStructure);
  const run = () => {
    const t = process.hrtime.bigint();
    for (const bytes of messages) classifier.classify({ bytes, transport: 'mllp', receivedAt: new Date() });
    return messages.length / (Number(process.hrtime.bigint() - t) / 1e9);
  };
  run();
  return Math.max(run(), run(), run());
}

function serve(databaseUrl: string, worker: 'on' | 'off'): Promise<{ port: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/sinew.js'), 'serve', '--database-url', databaseUrl, '--auth', 'off', '--http-port', '0', '--mllp-port', '0', '--worker', worker, '--log-level', 'warn'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`sinew serve exited with ${code}`)));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /mllp listening on [\d.]+:(\d+)/.exec(out);
      if (m && /http listening/.test(out)) {
        child.removeAllListeners('exit');
        resolve({ port: Number(m[1]), stop: () => new Promise<void>((done) => (child.once('exit', () => done()), child.kill('SIGTERM'))) });
      }
    });
  });
}

/** Every connection keeps up to `window` frames in flight, as an interface engine with a send queue would. */
async function throughput(port: number, frames: Buffer[], connections: number, window = 256): Promise<{ rate: number; count: number }> {
  const shares = Array.from({ length: connections }, (_, c) => frames.filter((_, i) => i % connections === c));
  const started = process.hrtime.bigint();
  await Promise.all(shares.map((share) => pipelined(port, share, window)));
  return { rate: frames.length / (Number(process.hrtime.bigint() - started) / 1e9), count: frames.length };
}

function pipelined(port: number, frames: Buffer[], window: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20 });
    let sent = 0;
    let acked = 0;
    const fill = () => {
      const upto = Math.min(frames.length, acked + window);
      if (sent < upto) socket.write(Buffer.concat(frames.slice(sent, upto)));
      sent = upto;
    };
    socket.on('connect', fill);
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind !== 'frame') continue;
        if (!/MSA\|(AA|CA)\|/.test(ev.payload.toString('latin1'))) return reject(new Error('a message was not accepted'));
        acked++;
      }
      if (acked === frames.length) {
        socket.end();
        resolve();
      } else fill();
    });
  });
}

function steadyLatency(port: number, frames: Buffer[], perSecond: number, seconds: number): Promise<{ p50: number; p99: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const decoder = new FrameDecoder({ maxFrameBytes: 1 << 20 });
    const total = perSecond * seconds;
    const sentAt: bigint[] = [];
    const latencies: number[] = [];
    const pick = (i: number) => frames[i % frames.length] as Buffer;
    let started = 0n;
    const tick = () => {
      const due = Math.min(total, Math.floor((Number(process.hrtime.bigint() - started) / 1e9) * perSecond));
      while (sentAt.length < due) {
        sentAt.push(process.hrtime.bigint());
        socket.write(pick(sentAt.length - 1));
      }
      if (sentAt.length < total) setTimeout(tick, 1);
    };
    socket.on('connect', () => {
      started = process.hrtime.bigint();
      tick();
    });
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      for (const ev of decoder.push(chunk)) {
        if (ev.kind !== 'frame') continue;
        latencies.push(Number(process.hrtime.bigint() - (sentAt[latencies.length] as bigint)) / 1e6);
      }
      if (latencies.length === total) {
        socket.end();
        resolve({ p50: percentile(latencies, 50), p99: percentile(latencies, 99) });
      }
    });
  });
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
