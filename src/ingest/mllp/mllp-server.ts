import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import { MllpConnection, type FrameHandler, type LoggerLike } from './mllp-connection.js';

export type { FrameHandler, InboundFrame, LoggerLike } from './mllp-connection.js';

export const DEFAULT_MAX_IN_FLIGHT = 1000;
export const DEFAULT_DRAIN_MS = 5000;
/** How long a drained connection may take to close after our FIN before it is destroyed. */
const SHUTDOWN_GRACE_MS = 1000;

export interface MllpServerOptions {
  host: string;
  /** 0 picks a free port; listen() resolves with the real one. */
  port: number;
  maxFrameBytes: number;
  idleTimeoutMs: number;
  /** Frames handled but not yet replied to on one connection before reading pauses; default 1000. */
  maxInFlightPerConnection?: number;
  /** When `ca` is set, client certificates are required and verified against it. */
  tls?: { cert: Buffer | string; key: Buffer | string; ca?: Buffer | string };
  logger: LoggerLike;
}

export interface MllpServer {
  listen(): Promise<{ host: string; port: number }>;
  close(opts?: { drainMs?: number }): Promise<void>;
  readonly connectionCount: number;
}

/**
 * MLLP listener over TCP or TLS: a thin socket layer over the pure FrameDecoder. Every frame gets
 * exactly one reply, in order, on its connection; what the reply says is the handler's business.
 * Logs carry sizes, peers, connection ids and counts only, never message content.
 * See: HL7 MLLP release 2 (`frame-decoder.ts`).
 */
export function createMllpServer(opts: MllpServerOptions, handler: FrameHandler): MllpServer {
  const { logger } = opts;
  const maxInFlight = opts.maxInFlightPerConnection ?? DEFAULT_MAX_IN_FLIGHT;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new RangeError('maxInFlightPerConnection must be >= 1');
  const connections = new Set<MllpConnection>();
  let nextId = 1;
  let closing = false;

  const onSocket = (socket: Socket): void => {
    if (closing) {
      socket.destroy();
      return;
    }
    const connection = new MllpConnection(socket, {
      id: nextId++,
      maxFrameBytes: opts.maxFrameBytes,
      idleTimeoutMs: opts.idleTimeoutMs,
      maxInFlight,
      logger,
      handler,
    });
    connections.add(connection);
    socket.once('close', () => connections.delete(connection));
  };

  const server = opts.tls ? createTlsServer(opts.tls, onSocket, logger) : net.createServer({ allowHalfOpen: true }, onSocket);
  server.on('error', (err: NodeJS.ErrnoException) => logger.error({ code: err.code ?? err.name }, 'mllp server error'));

  return {
    get connectionCount() {
      return connections.size;
    },

    listen() {
      return new Promise((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        server.once('error', onError);
        server.listen(opts.port, opts.host, () => {
          server.off('error', onError);
          const address = server.address() as AddressInfo;
          logger.info({ host: address.address, port: address.port, tls: opts.tls !== undefined }, 'mllp listening');
          resolve({ host: address.address, port: address.port });
        });
      });
    },

    async close(closeOpts) {
      const drainMs = closeOpts?.drainMs ?? DEFAULT_DRAIN_MS;
      closing = true;
      const stopped = new Promise<void>((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
      });
      const open = [...connections];
      for (const c of open) c.stopReading();
      const unanswered = await drainWithin(open, drainMs);
      if (unanswered > 0) logger.warn({ unanswered, drainMs }, 'mllp close: replies still pending after drain');
      await Promise.all(open.map((c) => c.shutdown(SHUTDOWN_GRACE_MS)));
      await stopped;
      logger.info({ connections: open.length }, 'mllp server closed');
    },
  };
}

function createTlsServer(
  options: NonNullable<MllpServerOptions['tls']>,
  onSocket: (socket: Socket) => void,
  logger: LoggerLike,
): tls.Server {
  const mutual = options.ca !== undefined;
  const server = tls.createServer(
    {
      cert: options.cert,
      key: options.key,
      allowHalfOpen: true,
      ...(mutual ? { ca: options.ca, requestCert: true, rejectUnauthorized: true } : {}),
    },
    onSocket,
  );
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) =>
    logger.warn(
      { peer: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`, code: err.code ?? err.name },
      'mllp tls handshake rejected',
    ),
  );
  return server;
}

/** Waits until every connection has replied to what it read, or drainMs passes; returns what is left. */
async function drainWithin(open: MllpConnection[], drainMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, drainMs);
  });
  try {
    await Promise.race([Promise.all(open.map((c) => c.settled())), timeout]);
  } finally {
    clearTimeout(timer);
  }
  return open.reduce((n, c) => n + c.pending, 0);
}
