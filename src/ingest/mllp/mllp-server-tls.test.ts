import { describe, it, expect, beforeAll, afterAll, afterEach } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { Client, Message } from 'node-hl7-client';
import { wrapFrame } from './frame-decoder.js';
import { createMllpServer, type FrameHandler, type InboundFrame, type MllpServer, type MllpServerOptions } from './mllp-server.js';
import { attachPeer, collectingLogger, type TestPeer } from '../../../test/support/mllp-test-peer.js';

const servers: MllpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ drainMs: 100 })));
});

function recordingHandler(seen: InboundFrame[]): FrameHandler {
  return async (frame) => {
    seen.push(frame);
    return Buffer.from(`ACK|${frame.payload.toString()}`);
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
  return { server, port, logger };
}

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

(hasOpenssl ? describe : describe.skip)('createMllpServer over TLS', () => {
  const pem: Record<string, Buffer> = {};
  let dir = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sinew-mllp-tls-'));
    const ssl = (...args: string[]): void => {
      execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
    };
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=Sinew Test CA');
    ssl('req', '-x509', ...ec, '-keyout', 'server.key', '-out', 'server.crt', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1');
    ssl('req', ...ec, '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/O=Test Hospital/CN=lab-analyzer');
    ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1');
    ssl('req', '-x509', ...ec, '-keyout', 'rogue.key', '-out', 'rogue.crt', '-days', '1', '-subj', '/CN=rogue');
    for (const name of ['ca.crt', 'server.key', 'server.crt', 'client.key', 'client.crt', 'rogue.key', 'rogue.crt']) {
      pem[name] = readFileSync(join(dir, name));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function connectTls(port: number, client?: { cert: Buffer; key: Buffer }): TestPeer {
    const socket = tls.connect({ host: '127.0.0.1', port, ca: pem['server.crt'], ...client });
    return attachPeer(socket);
  }

  it('serves MLLP over TLS with a self-signed server certificate', async () => {
    const seen: InboundFrame[] = [];
    const { port } = await start(recordingHandler(seen), { tls: { cert: pem['server.crt'], key: pem['server.key'] } });
    const peer = connectTls(port);
    peer.socket.write(Buffer.concat([wrapFrame('A'), wrapFrame('B')]));
    expect(await peer.waitForReplies(2)).toEqual(['ACK|A', 'ACK|B']);
    expect(seen[0]).toMatchObject({ tls: true });
    expect(seen[0].clientCertSubject).toBeUndefined();
    peer.socket.destroy();
  });

  describe('with a client CA (mutual TLS)', () => {
    const mtls = () => ({ tls: { cert: pem['server.crt'], key: pem['server.key'], ca: pem['ca.crt'] } });

    it('accepts a client certificate signed by the CA and exposes its subject', async () => {
      const seen: InboundFrame[] = [];
      const { port } = await start(recordingHandler(seen), mtls());
      const peer = connectTls(port, { cert: pem['client.crt'], key: pem['client.key'] });
      peer.socket.write(wrapFrame('MSH|1'));
      expect(await peer.waitForReplies(1)).toEqual(['ACK|MSH|1']);
      expect(seen[0].tls).toBe(true);
      expect(seen[0].clientCertSubject).toBe('O=Test Hospital,CN=lab-analyzer');
      peer.socket.destroy();
    });

    it('rejects a client without a certificate', async () => {
      const seen: InboundFrame[] = [];
      const { port, logger } = await start(recordingHandler(seen), mtls());
      const peer = connectTls(port);
      peer.socket.write(wrapFrame('MSH|1'));
      await peer.closed;
      expect(peer.replies).toEqual([]);
      expect(seen).toHaveLength(0);
      expect(logger.entries.some((e) => e.msg === 'mllp tls handshake rejected')).toBe(true);
    });

    it('rejects a client certificate from another issuer', async () => {
      const seen: InboundFrame[] = [];
      const { port } = await start(recordingHandler(seen), mtls());
      const peer = connectTls(port, { cert: pem['rogue.crt'], key: pem['rogue.key'] });
      peer.socket.write(wrapFrame('MSH|1'));
      await peer.closed;
      expect(peer.replies).toEqual([]);
      expect(seen).toHaveLength(0);
    });
  });
});

describe('createMllpServer with node-hl7-client 3.2.0 as an independent peer', () => {
  it('receives a message and returns the reply to the client', async () => {
    const seen: InboundFrame[] = [];
    const { port } = await start(async (frame) => {
      seen.push(frame);
      const controlId = frame.payload.toString().split('\r')[0].split('|')[9];
      return Buffer.from(`MSH|^~\\&|SINEW|HOSP|LAB|HOSP|20240101120000||ACK^A01^ACK|R${controlId}|P|2.5\rMSA|AA|${controlId}`);
    });
    const client = new Client({ host: '127.0.0.1' });
    const acks: string[] = [];
    let gotAck: () => void = () => undefined;
    const acked = new Promise<void>((resolve) => (gotAck = resolve));
    const outbound = client.createConnection({ port, waitAck: true, maxConnectionAttempts: 1 }, async (res) => {
      acks.push(res.getMessage().get('MSA.2').toString());
      gotAck();
    });
    try {
      const text = 'MSH|^~\\&|LAB|HOSP|SINEW|HOSP|20240101115959||ADT^A01^ADT_A01|CTRL42|P|2.5\rPID|1||12345^^^HOSP^MR||DOE^JANE';
      await outbound.sendMessage(new Message({ text }));
      await acked;
      expect(acks).toEqual(['CTRL42']);
      expect(seen).toHaveLength(1);
      expect(seen[0].payload.toString()).toContain('MSH|^~\\&|LAB|HOSP|SINEW');
      expect(seen[0].truncated).toBe(false);
    } finally {
      await outbound.close();
      client.closeAll();
    }
  });
});
