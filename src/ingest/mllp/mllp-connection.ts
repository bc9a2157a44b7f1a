import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { FrameDecoder, wrapFrame, type FrameEvent } from './frame-decoder.js';

/** One decoded frame, handed to the application. Oversized frames arrive truncated to their head. */
export interface InboundFrame {
  payload: Buffer;
  truncated: boolean;
  totalBytes: number;
  peer: string;
  connectionId: number;
  tls: boolean;
  clientCertSubject?: string;
}

/**
 * Returns the reply payload (unwrapped; the server frames it). Contract: never throws. The server
 * stays HL7-agnostic, so it cannot build an AE itself: a throwing handler is logged and its
 * connection destroyed, and the sender's own timeout and resend take over.
 */
export type FrameHandler = (frame: InboundFrame) => Promise<Buffer>;

export interface LoggerLike {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(obj: object, msg?: string): void;
}

export interface ConnectionOptions {
  id: number;
  maxFrameBytes: number;
  headBytes?: number;
  idleTimeoutMs: number;
  maxInFlight: number;
  logger: LoggerLike;
  handler: FrameHandler;
}

type Settled = { ok: true; reply: Buffer } | { ok: false; error: unknown };

/**
 * One MLLP connection: decodes frames, starts the handler for each as soon as it is decoded (so
 * pipelined frames are handled concurrently and the caller can batch commits), and writes the
 * replies strictly in frame order through a promise chain.
 */
export class MllpConnection {
  readonly id: number;
  readonly peer: string;
  private readonly decoder: FrameDecoder;
  private readonly tls: boolean;
  private readonly clientCertSubject: string | undefined;
  private tail: Promise<void> = Promise.resolve();
  private inFlight = 0;
  private paused = false;
  private draining = false;
  private frames = 0;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly opts: ConnectionOptions,
  ) {
    this.id = opts.id;
    this.peer = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.decoder = new FrameDecoder({ maxFrameBytes: opts.maxFrameBytes, headBytes: opts.headBytes });
    this.tls = 'encrypted' in socket && (socket as TLSSocket).encrypted === true;
    this.clientCertSubject = this.tls ? certSubject(socket as TLSSocket) : undefined;

    socket.setNoDelay(true);
    socket.setTimeout(opts.idleTimeoutMs);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('timeout', () => this.onTimeout());
    socket.on('end', () => this.onEnd());
    socket.on('error', (err: NodeJS.ErrnoException) =>
      this.log('warn', { code: err.code ?? err.name }, 'mllp connection error'),
    );
    socket.on('close', () => this.onClose());
    this.log('info', { tls: this.tls, clientCertSubject: this.clientCertSubject }, 'mllp connection opened');
  }

  get pending(): number {
    return this.inFlight;
  }

  /** Stops reading (server shutdown); replies for frames already read still go out. */
  stopReading(): void {
    this.draining = true;
    this.socket.pause();
  }

  /** Resolves when every frame read so far has been replied to (or its reply dropped). */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.tail;
      await seen;
    } while (seen !== this.tail);
  }

  /**
   * Ends the connection. With nothing pending it half-closes first, so replies still in Node's
   * write queue reach the peer, and destroys after graceMs if the peer does not close its side.
   */
  async shutdown(graceMs: number): Promise<void> {
    if (this.socket.destroyed) return;
    if (this.inFlight > 0) {
      this.socket.destroy();
      return;
    }
    const closed = new Promise<void>((resolve) => this.socket.once('close', () => resolve()));
    const timer = setTimeout(() => this.socket.destroy(), graceMs);
    this.socket.end();
    await closed;
    clearTimeout(timer);
  }

  private onData(chunk: Buffer): void {
    for (const event of this.decoder.push(chunk)) this.onEvent(event);
    // Checked per chunk, not per frame: frames already read are dispatched anyway, so one read
    // (at most a socket buffer of small frames) can overshoot the limit before reading pauses.
    if (this.inFlight >= this.opts.maxInFlight && !this.paused) {
      this.paused = true;
      this.socket.pause();
      this.log('warn', { inFlight: this.inFlight }, 'mllp back-pressure: reading paused');
    }
  }

  private onEvent(event: FrameEvent): void {
    if (event.kind === 'discarded') {
      this.log('warn', { bytes: event.bytes }, 'mllp bytes outside a frame discarded');
    } else if (event.kind === 'frame') {
      this.dispatch(event.payload, false, event.payload.length);
    } else {
      this.log('warn', { totalBytes: event.totalBytes, headBytes: event.head.length }, 'mllp frame over maxFrameBytes');
      this.dispatch(event.head, true, event.totalBytes);
    }
  }

  private dispatch(payload: Buffer, truncated: boolean, totalBytes: number): void {
    const index = this.frames++;
    this.inFlight++;
    const frame: InboundFrame = {
      payload,
      truncated,
      totalBytes,
      peer: this.peer,
      connectionId: this.id,
      tls: this.tls,
      ...(this.clientCertSubject === undefined ? {} : { clientCertSubject: this.clientCertSubject }),
    };
    // Settle into a value right away: a rejection waiting behind a long chain would otherwise be
    // reported as unhandled (and end the process) before the chain reaches it.
    const settled = invoke(this.opts.handler, frame).then(
      (reply): Settled => ({ ok: true, reply }),
      (error: unknown): Settled => ({ ok: false, error }),
    );
    this.tail = this.tail
      .then(async () => {
        const result = await settled;
        try {
          await this.reply(index, result);
        } finally {
          this.inFlight--;
          this.maybeResume();
        }
      })
      .catch((error: unknown) => {
        // A broken link would silently skip every later reply, so fail the connection loudly.
        this.log('error', { frame: index, errorType: error instanceof Error ? error.name : typeof error }, 'mllp reply failed');
        this.socket.destroy();
      });
  }

  private async reply(index: number, result: Settled): Promise<void> {
    if (!result.ok) {
      // Error text may quote the message, so only the error's type is logged.
      const error = result.error;
      const errorType = error instanceof Error ? error.name : typeof error;
      this.log('error', { frame: index, errorType }, 'mllp handler threw; destroying connection');
      this.socket.destroy();
      return;
    }
    if (this.closed || this.socket.destroyed) {
      this.log('debug', { frame: index }, 'mllp reply dropped: connection closed');
      return;
    }
    if (!Buffer.isBuffer(result.reply)) {
      this.log('error', { frame: index, replyType: typeof result.reply }, 'mllp handler returned no Buffer; destroying connection');
      this.socket.destroy();
      return;
    }
    // Waiting for 'drain' keeps inFlight up while the peer is not reading its ACKs, which in turn
    // pauses reading: back-pressure in both directions.
    if (!this.socket.write(wrapFrame(result.reply))) await drained(this.socket);
  }

  private maybeResume(): void {
    if (this.paused && !this.draining && this.inFlight <= Math.floor(this.opts.maxInFlight / 2)) {
      this.paused = false;
      this.socket.resume();
      this.log('debug', { inFlight: this.inFlight }, 'mllp back-pressure: reading resumed');
    }
  }

  private onTimeout(): void {
    // A connection waiting on our own handlers is not idle: only a silent peer is cut off.
    if (this.inFlight > 0) return;
    this.log('info', { idleTimeoutMs: this.opts.idleTimeoutMs, pendingBytes: this.decoder.pendingBytes }, 'mllp idle timeout');
    this.socket.destroy();
  }

  private onEnd(): void {
    this.logDiscardedPartial('mllp peer ended mid-frame; partial frame discarded');
    // allowHalfOpen is on: a peer that half-closes after its last frame still gets every ACK.
    void this.settled().then(() => this.socket.end());
  }

  private onClose(): void {
    this.closed = true;
    this.logDiscardedPartial('mllp peer disconnected mid-frame; partial frame discarded');
    this.log('info', { frames: this.frames, unanswered: this.inFlight }, 'mllp connection closed');
  }

  private logDiscardedPartial(msg: string): void {
    const [event] = this.decoder.end();
    if (event?.kind === 'discarded') this.log('warn', { bytes: event.bytes }, msg);
  }

  private log(level: 'info' | 'warn' | 'error' | 'debug', obj: object, msg: string): void {
    const fields = { connectionId: this.id, peer: this.peer, ...obj };
    if (level === 'debug') this.opts.logger.debug?.(fields, msg);
    else this.opts.logger[level](fields, msg);
  }
}

function invoke(handler: FrameHandler, frame: InboundFrame): Promise<Buffer> {
  try {
    return Promise.resolve(handler(frame));
  } catch (error) {
    return Promise.reject(error);
  }
}

function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}

/** Client certificate subject in one-line form (`CN=lab,O=Hospital`), or undefined without one. */
function certSubject(socket: TLSSocket): string | undefined {
  const subject = socket.getPeerX509Certificate?.()?.subject;
  return subject ? subject.split('\n').join(',') : undefined;
}
