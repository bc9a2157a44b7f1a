import type { ImportCounts } from '../../ingest/files/progress.js';

export type { ImportCounts };

/**
 * Where `sinew import` sends each message: straight into a local database, or to a running server.
 * `finish` returns once everything sent has been processed through (or has failed), with final counts.
 */
export interface ImportSink {
  send(bytes: Buffer): Promise<void>;
  finish(): Promise<ImportCounts>;
}

export function emptyCounts(): ImportCounts {
  return { accepted: 0, duplicate: 0, error: 0, rejected: 0 };
}

/**
 * Keeps up to `limit` sends in flight: enough for the group commit to batch, without reading a
 * file faster than it is stored. The first failure stops further sends and is rethrown by `drain`.
 */
export function boundedInFlight(limit: number) {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  return {
    async run(task: () => Promise<void>): Promise<void> {
      if (failure) throw failure;
      const p: Promise<void> = task()
        .catch((err) => {
          failure ??= err;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
      if (inFlight.size >= limit) await Promise.race(inFlight);
    },
    async drain(): Promise<void> {
      await Promise.all(inFlight);
      if (failure) throw failure;
    },
  };
}
