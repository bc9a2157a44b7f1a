import { boundedInFlight, emptyCounts, type ImportSink } from './import-sink.js';
import type { MessageStatus } from '../../db/tables/hl7-message.table.js';

/**
 * Sends each message to a running `sinew serve` (`POST /hl7v2`, the same path as MLLP) and then
 * waits until the server has processed every stored one, reading their final status back.
 */
export function remoteSink(baseUrl: string, token: string, opts: { concurrency?: number; pollMs?: number } = {}): ImportSink {
  const ids: string[] = [];
  const sends = boundedInFlight(opts.concurrency ?? 16);
  const headers = { authorization: `Bearer ${token}` };

  return {
    send: (bytes) =>
      sends.run(async () => {
        const res = await fetch(`${baseUrl}/hl7v2`, { method: 'POST', headers: { ...headers, 'content-type': 'x-application/hl7-v2+er7' }, body: new Uint8Array(bytes) });
        if (!res.ok) throw new Error(`the server answered ${res.status} to POST /hl7v2: ${(await res.text()).slice(0, 200)}`);
        const ack = Buffer.from(await res.arrayBuffer()).toString('latin1');
        // Our ACKs carry the stored row in MSH-10 (`SINEW<id>`), one per message of a batch.
        for (const m of ack.matchAll(/(?:^|\r)MSH\|[^\r]*?\|SINEW(\d+)\|/g)) ids.push(m[1] as string);
      }),
    async finish() {
      await sends.drain();
      const counts = emptyCounts();
      for (const id of ids) counts[await waitProcessed(`${baseUrl}/admin/messages/${id}`, headers, opts.pollMs ?? 200)]++;
      return counts;
    },
  };
}

async function waitProcessed(url: string, headers: Record<string, string>, pollMs: number): Promise<MessageStatus> {
  for (;;) {
    const res = await fetch(url, { headers });
    if (!res.ok) throw new Error(`the server answered ${res.status} to GET ${new URL(url).pathname}`);
    const detail = (await res.json()) as { status: MessageStatus; processState: string };
    if (detail.processState !== 'pending') return detail.status;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
