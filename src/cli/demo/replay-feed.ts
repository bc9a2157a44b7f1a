import type { Core } from '../../app.js';
import type { MessageStatus } from '../../db/tables/hl7-message.table.js';
import type { SimMessage } from '../../simulate/index.js';
import { boundedInFlight, emptyCounts, type ImportCounts } from '../import/import-sink.js';

/**
 * A simulated feed through the real intake and worker, each message received at the moment its
 * sender sent it: identity links then start when the hospital created the record and, with transport
 * `file` (a backfill), facts become available at the source's own result times. Sends keep send
 * order (the worker processes one patient's messages in arrival order). The database holds only
 * this feed, so the final statuses (after processing) are counted over the whole store.
 */
export async function replayFeed(core: Core, messages: readonly SimMessage[]): Promise<ImportCounts> {
  const sends = boundedInFlight(64);
  for (const m of messages) {
    await sends.run(async () => {
      await core.intake.receive({ bytes: Buffer.from(m.text, 'utf8'), transport: 'file', receivedAt: new Date(m.sentAt) });
    });
  }
  await sends.drain();
  await core.worker.drain();
  const rows = await core.database.db
    .selectFrom('hl7_message')
    .select('status')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .groupBy('status')
    .execute();
  const counts = emptyCounts();
  for (const r of rows) counts[r.status as MessageStatus] += Number(r.n);
  return counts;
}
