/**
 * Test support for the MLLP tests: a raw-socket peer that decodes reply frames, and a logger that
 * records entries. Used by the MLLP tests and by the end-to-end ingest tests.
 */
import net, { type Socket } from 'node:net';
import { FrameDecoder } from '../../src/ingest/mllp/frame-decoder.js';
import type { LoggerLike } from '../../src/ingest/mllp/mllp-connection.js';

export interface LogEntry {
  level: 'info' | 'warn' | 'error' | 'debug';
  obj: Record<string, unknown>;
  msg?: string;
}

export function collectingLogger(): LoggerLike & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry['level']) =>
    (obj: object, msg?: string): void => {
      entries.push({ level, obj: obj as Record<string, unknown>, msg });
    };
  return { entries, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

export interface TestPeer {
  socket: Socket;
  replies: string[];
  /** Resolves when the socket closes, with whether an error was seen first. */
  closed: Promise<{ hadError: boolean }>;
  waitForReplies(count: number, timeoutMs?: number): Promise<string[]>;
}

export function attachPeer(socket: Socket): TestPeer {
  const replies: string[] = [];
  const decoder = new FrameDecoder({ maxFrameBytes: 1024 * 1024 });
  let wake: (() => void) | undefined;
  let hadError = false;
  socket.on('data', (chunk: Buffer) => {
    for (const e of decoder.push(chunk)) if (e.kind === 'frame') replies.push(e.payload.toString('utf8'));
    wake?.();
  });
  socket.on('error', () => {
    hadError = true;
  });
  const closed = new Promise<{ hadError: boolean }>((resolve) =>
    socket.on('close', () => {
      wake?.();
      resolve({ hadError });
    }),
  );
  const waitForReplies = async (count: number, timeoutMs = 3000): Promise<string[]> => {
    const deadline = Date.now() + timeoutMs;
    while (replies.length < count) {
      if (socket.destroyed) throw new Error(`socket closed after ${replies.length}/${count} replies`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${replies.length}/${count} replies`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return replies.slice(0, count);
  };
  return { socket, replies, closed, waitForReplies };
}

export function connectPeer(port: number): Promise<TestPeer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.off('error', reject);
      socket.setNoDelay(true);
      resolve(attachPeer(socket));
    });
    socket.once('error', reject);
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `condition` holds, so tests wait on state rather than on guessed delays. */
export async function until(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}
