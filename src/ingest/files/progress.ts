import cliProgress from 'cli-progress';

export interface ImportCounts {
  accepted: number;
  duplicate: number;
  error: number;
  rejected: number;
}

/** The closing line of `sinew import` as INTERFACE.md gives it. */
export function formatSummary(counts: ImportCounts): string {
  return `accepted ${counts.accepted}, duplicate ${counts.duplicate}, error ${counts.error}, rejected ${counts.rejected}`;
}

export interface ProgressReporter {
  /** Bytes read from the files (the bar's measure). */
  addBytes(n: number): void;
  /** Messages or resources handed on (for the rate). */
  addMessages(n: number): void;
  stop(): void;
}

export interface ProgressOptions {
  /** Sum of the sizes of all files being imported. */
  totalBytes: number;
  /** Where progress goes; never stdout, which carries the summary. Default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Without a terminal, one plain line this often (log files and CI stay readable). */
  plainIntervalMs?: number;
  now?: () => number;
}

const MB = 1024 * 1024;

/**
 * A progress bar by bytes read with messages/s on a terminal; without one, a plain line every
 * 10 s and nothing else, so piped output and CI logs are not flooded with redraws.
 */
export function createProgress(opts: ProgressOptions): ProgressReporter {
  const stream = opts.stream ?? process.stderr;
  const now = opts.now ?? Date.now;
  const started = now();
  let bytes = 0;
  let messages = 0;
  const rate = (): number => Math.round(messages / Math.max((now() - started) / 1000, 0.001));
  const payload = (): Record<string, string | number> => ({
    read_mb: (bytes / MB).toFixed(1),
    total_mb: (opts.totalBytes / MB).toFixed(1),
    messages,
    rate: rate(),
  });

  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'import {bar} {percentage}% | {read_mb}/{total_mb} MB | {messages} messages | {rate}/s | ETA {eta_formatted}',
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(opts.totalBytes, 1), 0, payload());
    return {
      addBytes(n) {
        bytes += n;
        bar.update(Math.min(bytes, Math.max(opts.totalBytes, 1)), payload());
      },
      addMessages(n) {
        messages += n;
      },
      stop() {
        bar.update(Math.min(bytes, Math.max(opts.totalBytes, 1)), payload());
        bar.stop();
      },
    };
  }

  const interval = opts.plainIntervalMs ?? 10_000;
  let last = started;
  const maybeLine = (): void => {
    const t = now();
    if (t - last < interval) return;
    last = t;
    const pct = opts.totalBytes > 0 ? Math.floor((100 * bytes) / opts.totalBytes) : 100;
    const p = payload();
    stream.write(`import: ${p.read_mb} of ${p.total_mb} MB (${pct}%), ${messages} messages, ${p.rate}/s\n`);
  };
  return {
    addBytes(n) {
      bytes += n;
      maybeLine();
    },
    addMessages(n) {
      messages += n;
      maybeLine();
    },
    stop() {},
  };
}

/** Passes chunks through unchanged, counting their bytes (to feed `addBytes` from a file stream). */
export async function* countBytes<T extends Uint8Array>(stream: AsyncIterable<T>, onBytes: (n: number) => void): AsyncGenerator<T> {
  for await (const chunk of stream) {
    onBytes(chunk.byteLength);
    yield chunk;
  }
}
