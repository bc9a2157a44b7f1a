import { sql } from 'kysely';
import type { Core } from '../../app.js';
import type { MessageStatus } from '../../db/tables/hl7-message.table.js';
import { boundedInFlight, emptyCounts, type ImportCounts, type ImportSink } from './import-sink.js';

/**
 * Ingests into the database this process opened, through the same intake as the listeners
 * (transport `file`, which the timeline treats as a backfill), then processes what it stored.
 */
export function localSink(core: Core, opts: { concurrency?: number } = {}): ImportSink {
  const ids: string[] = [];
  const sends = boundedInFlight(opts.concurrency ?? 64);

  return {
    send: (bytes) =>
      sends.run(async () => {
        const reply = await core.intake.receive({ bytes, transport: 'file', receivedAt: new Date() });
        for (const o of reply.outcomes) ids.push(o.id);
      }),
    async finish() {
      await sends.drain();
      await core.worker.drain();
      return countStatuses(core, ids);
    },
  };
}

async function countStatuses(core: Core, ids: string[]): Promise<ImportCounts> {
  const counts = emptyCounts();
  for (let i = 0; i < ids.length; i += 10_000) {
    const chunk = ids.slice(i, i + 10_000);
    const { rows } = await sql<{ status: MessageStatus; n: number }>`
      SELECT status, count(*)::int AS n FROM hl7_message WHERE id = ANY(${chunk}::bigint[]) GROUP BY status`.execute(core.database.db);
    for (const r of rows) counts[r.status] += r.n;
  }
  return counts;
}
