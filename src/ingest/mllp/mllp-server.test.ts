import { describe, it, expect, afterEach } from '@jest/globals';
import { wrapFrame } from './frame-decoder.js';
import { createMllpServer, type FrameHandler, type InboundFrame, type MllpServer, type MllpServerOptions } from './mllp-server.js';
import { collectingLogger, connectPeer, sleep, until, type TestPeer } from '../../../test/support/mllp-test-peer.js';

const PHI = 'DOE^JANE^SECRET';
const servers: MllpServer[] = [];
const peers: TestPeer[] = [];

afterEach(async () => {
  for (const p of peers.splice(0)) p.socket.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close({ drainMs: 100 })));
});

/** Replies `ACK|<index of the frame on its connection>|<payload, when short>`. */
function echoHandler(seen: InboundFrame[] = []): FrameHandler {
  const perConnection = new Map<number, number>();
  return async (frame) => {
    seen.push(frame);
    const index = perConnection.get(frame.connectionId) ?? 0;
    perConnection.set(frame.connectionId, index + 1);
    const body = frame.payload.length <= 100 ? frame.payload.toString('utf8') : `${frame.payload.length} bytes`;
    return Buffer.from(`ACK|${index}|${body}`);
  };
}

async function start(handler: FrameHandler, overrides: Partial<MllpServerOptions> = {}) {
  const logger = collectingLogger();
  const server = createMllpServer(
    { host: '127.0.0.1', port: 0, maxFrameBytes: 1024 * 1024, idleTimeoutMs: 5000, logger, ...overrides },
    handler,
  );
  servers.push(server);
  const { port } = await server.listen();
  const peer = async (): Promise<TestPeer> => {
    const p = await connectPeer(port);
    peers.push(p);
    return p;
  };
  return { server, port, logger, peer };
}

const msg = (n: number | string): string => `MSH|^~\\&|LAB|H|SINEW|H|20240101||ADT^A01|${n}|P|2.5\rPID|1||${n}||${PHI}`;

describe('createMllpServer over TCP', () => {
  it('listens on the real port when given port 0', async () => {
    const { port } = await start(echoHandler());
    expect(port).toBeGreaterThan(0);
  });

  it('replies to two frames that arrive in one write', async () => {
    const { peer } = await start(echoHandler());
    const p = await peer();
    p.socket.write(Buffer.concat([wrapFrame('A'), wrapFrame('B')]));
    expect(await p.waitForReplies(2)).toEqual(['ACK|0|A', 'ACK|1|B']);
  });

  it('reassembles a frame split over three writes', async () => {
    const seen: InboundFrame[] = [];
    const { peer } = await start(echoHandler(seen));
    const p = await peer();
    const wire = wrapFrame(msg(1));
    for (const part of [wire.subarray(0, 5), wire.subarray(5, 30), wire.subarray(30)]) {
      p.socket.write(part);
      await sleep(15);
    }
    expect(await p.waitForReplies(1)).toHaveLength(1);
    expect(seen[0].payload.toString()).toBe(msg(1));
    expect(seen[0]).toMatchObject({ truncated: false, tls: false, totalBytes: Buffer.byteLength(msg(1)) });
  });

  it('handles FS and CR arriving in separate writes', async () => {
    const { peer } = await start(echoHandler());
    const p = await peer();
    p.socket.write('\x0bMSH|1\x1c');
    await sleep(30);
    expect(p.replies).toEqual([]);
    p.socket.write('\r');
    expect(await p.waitForReplies(1)).toEqual(['ACK|0|MSH|1']);
  });

  it('discards garbage, logs only its size, and answers the valid frame after it', async () => {
    const { peer, logger } = await start(echoHandler());
    const p = await peer();
    p.socket.write(Buffer.concat([Buffer.from(`${PHI} unframed\r`), wrapFrame('OK')]));
    expect(await p.waitForReplies(1)).toEqual(['ACK|0|OK']);
    const discard = logger.entries.find((e) => e.msg?.includes('discarded'));
    expect(discard?.obj).toMatchObject({ bytes: PHI.length + 10, connectionId: expect.any(Number) });
  });

  it('answers 200 pipelined frames in order while handlers finish out of order', async () => {
    let active = 0;
    let maxActive = 0;
    const handler: FrameHandler = async (frame) => {
      active++;
      maxActive = Math.max(maxActive, active);
      await sleep(Math.floor(Math.random() * 20));
      active--;
      return Buffer.from(`ACK|${frame.payload.toString()}`);
    };
    const { peer } = await start(handler);
    const p = await peer();
    const ids = Array.from({ length: 200 }, (_, i) => i);
    p.socket.write(Buffer.concat(ids.map((i) => wrapFrame(String(i)))));
    expect(await p.waitForReplies(200, 5000)).toEqual(ids.map((i) => `ACK|${i}`));
    expect(maxActive).toBeGreaterThan(1);
  });

  it('pauses reading above maxInFlightPerConnection and resumes when drained', async () => {
    const releases: Array<() => void> = [];
    const handler: FrameHandler = (frame) =>
      new Promise((resolve) => releases.push(() => resolve(Buffer.from(`ACK|${frame.payload.toString()}`))));
    const { peer } = await start(handler, { maxInFlightPerConnection: 10 });
    const p = await peer();
    p.socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => wrapFrame(String(i)))));
    await sleep(50);
    p.socket.write(Buffer.concat(Array.from({ length: 10 }, (_, i) => wrapFrame(String(10 + i)))));
    await sleep(100);
    expect(releases).toHaveLength(10);
    releases.splice(0).forEach((release) => release());
    await p.waitForReplies(10);
    await until(() => releases.length === 10);
    releases.splice(0).forEach((release) => release());
    expect(await p.waitForReplies(20)).toEqual(Array.from({ length: 20 }, (_, i) => `ACK|${i}`));
  });

  it('closes a silent client after the idle timeout', async () => {
    const { peer, logger, server } = await start(echoHandler(), { idleTimeoutMs: 150 });
    const p = await peer();
    const started = Date.now();
    await p.closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(logger.entries.some((e) => e.msg === 'mllp idle timeout')).toBe(true);
    await until(() => server.connectionCount === 0);
  });

  it('survives a client that disconnects mid-frame and keeps serving others', async () => {
    const seen: InboundFrame[] = [];
    const { peer, logger } = await start(echoHandler(seen));
    const a = await peer();
    a.socket.write('\x0bMSH|partial');
    await sleep(20);
    a.socket.destroy();
    await a.closed;
    await until(() => logger.entries.some((e) => e.msg === 'mllp connection closed'));
    expect(seen).toHaveLength(0);
    expect(logger.entries.find((e) => e.msg?.includes('mid-frame'))?.obj).toMatchObject({ bytes: 12 });
    const b = await peer();
    b.socket.write(wrapFrame('next'));
    expect(await b.waitForReplies(1)).toEqual(['ACK|0|next']);
  });

  it('gives a 50 MB frame exactly one reply, handing the handler only the head', async () => {
    const seen: InboundFrame[] = [];
    const { peer } = await start(echoHandler(seen), { maxFrameBytes: 1024 * 1024 });
    const p = await peer();
    const total = 50 * 1024 * 1024;
    const big = Buffer.alloc(total, 0x41);
    big.write('MSH|^~\\&|BIG');
    p.socket.write(wrapFrame(big));
    p.socket.write(wrapFrame('after'));
    expect(await p.waitForReplies(2, 10_000)).toEqual([`ACK|0|${64 * 1024} bytes`, 'ACK|1|after']);
    expect(seen[0]).toMatchObject({ truncated: true, totalBytes: total });
    expect(seen[0].payload.length).toBe(64 * 1024);
    expect(seen[0].payload.subarray(0, 12).toString()).toBe('MSH|^~\\&|BIG');
  });

  it('enforces maxFrameBytes', async () => {
    const seen: InboundFrame[] = [];
    const { peer } = await start(echoHandler(seen), { maxFrameBytes: 10 });
    const p = await peer();
    p.socket.write(Buffer.concat([wrapFrame('0123456789'), wrapFrame('0123456789X')]));
    await p.waitForReplies(2);
    expect(seen.map((f) => [f.truncated, f.totalBytes])).toEqual([
      [false, 10],
      [true, 11],
    ]);
  });

  it('destroys the connection when the handler breaks its never-throw contract', async () => {
    const { peer, logger } = await start(async (frame) => {
      if (frame.payload.toString() === 'boom') throw new Error(`cannot parse ${PHI}`);
      return Buffer.from('ACK');
    });
    const a = await peer();
    a.socket.write(Buffer.concat([wrapFrame('ok'), wrapFrame('boom'), wrapFrame('ok')]));
    await a.closed;
    expect(a.replies).toEqual(['ACK']);
    expect(logger.entries.find((e) => e.level === 'error')?.obj).toMatchObject({ errorType: 'Error', frame: 1 });
    const b = await peer();
    b.socket.write(wrapFrame('ok'));
    expect(await b.waitForReplies(1)).toEqual(['ACK']);
  });

  it('still sends every ACK to a peer that half-closes after its last frame', async () => {
    const { peer } = await start(async (f) => {
      await sleep(30);
      return Buffer.from(`ACK|${f.payload.toString()}`);
    });
    const p = await peer();
    p.socket.end(Buffer.concat([wrapFrame('1'), wrapFrame('2')]));
    await p.closed;
    expect(p.replies).toEqual(['ACK|1', 'ACK|2']);
  });

  it('close() drains in-flight replies, then closes connections', async () => {
    const { server, peer } = await start(async (f) => {
      await sleep(100);
      return Buffer.from(`ACK|${f.payload.toString()}`);
    });
    const p = await peer();
    p.socket.write(Buffer.concat([wrapFrame('1'), wrapFrame('2'), wrapFrame('3')]));
    await sleep(20);
    expect(server.connectionCount).toBe(1);
    await server.close({ drainMs: 2000 });
    await p.closed;
    expect(p.replies).toEqual(['ACK|1', 'ACK|2', 'ACK|3']);
    expect(server.connectionCount).toBe(0);
  });

  it('close() gives up after drainMs when a handler never settles', async () => {
    const { server, peer, logger } = await start(() => new Promise<Buffer>(() => undefined));
    const p = await peer();
    p.socket.write(wrapFrame('stuck'));
    await sleep(20);
    const started = Date.now();
    await server.close({ drainMs: 100 });
    expect(Date.now() - started).toBeLessThan(1000);
    await p.closed;
    expect(logger.entries.find((e) => e.msg?.includes('still pending'))?.obj).toMatchObject({ unanswered: 1 });
  });

  it('never logs message content', async () => {
    const { peer, logger } = await start(echoHandler());
    const p = await peer();
    p.socket.write(Buffer.concat([Buffer.from(PHI), wrapFrame(msg(7)), Buffer.from(`\x0b${PHI}`)]));
    await p.waitForReplies(1);
    p.socket.destroy();
    await until(() => logger.entries.some((e) => e.msg === 'mllp connection closed'));
    expect(logger.entries.length).toBeGreaterThan(2);
    expect(JSON.stringify(logger.entries)).not.toContain('SECRET');
  });
});
