import { buildAck, type AckCode } from './ack.js';
import type { Classifier, Receipt } from './classify.js';
import { CommitBatcher } from './commit-batcher.js';
import type { NewMessage, SavedMessage } from './message-store.repository.js';
import type { MessageStatus, StoredIssue } from '../db/tables/hl7-message.table.js';
import { formatHl7DateTime } from './hl7v2/index.js';
import iconv from 'iconv-lite';

export interface IntakeOutcome {
  id: string;
  status: MessageStatus;
  ackCode: AckCode;
  controlId: string | null;
  reason: StoredIssue[] | null;
  duplicateOf: string | null;
}

export interface IntakeReply {
  /** The reply to send: one ACK, or a batch of ACKs (BHS … BTS) when the receipt was a batch. */
  ack: string;
  /** The same, encoded in the charset of the message it answers (MSH-18). */
  ackBytes: Buffer;
  outcomes: IntakeOutcome[];
}

export interface IntakeObserver {
  stored(outcome: IntakeOutcome, messageType: string | null, seconds: number): void;
  warning(text: string): void;
}

export interface Intake {
  receive(receipt: Receipt): Promise<IntakeReply>;
}

/**
 * Store first, then acknowledge: the ACK is built only from what the store committed, so an `AA`
 * always means the raw message is durable. Receipts arriving together share one commit.
 */
export function createIntake(deps: {
  classifier: Classifier;
  save: (messages: NewMessage[]) => Promise<SavedMessage[]>;
  observer?: IntakeObserver;
  /** Called after each commit that stored work for the processor. */
  onStored?: () => void;
  clock?: () => Date;
}): Intake {
  const clock = deps.clock ?? (() => new Date());
  const batcher = new CommitBatcher<NewMessage, SavedMessage>(async (records) => {
    const saved = await deps.save(records);
    deps.onStored?.();
    return saved;
  });

  return {
    async receive(receipt) {
      const started = process.hrtime.bigint();
      const { messages, batch } = deps.classifier.classify(receipt);
      const saved = await Promise.all(messages.map((m) => batcher.submit(m.record)));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const timestamp = formatHl7DateTime(clock());
      const outcomes: IntakeOutcome[] = saved.map((s, i) => ({
        id: s.id,
        status: s.status,
        ackCode: s.ackCode,
        controlId: messages[i]?.record.controlId ?? null,
        reason: s.reason,
        duplicateOf: s.duplicateOf,
      }));
      outcomes.forEach((o, i) => {
        deps.observer?.stored(o, messages[i]?.record.messageType ?? null, seconds);
        for (const w of messages[i]?.warnings ?? []) deps.observer?.warning(w);
      });
      const acks = outcomes.map((o, i) =>
        buildAck(messages[i]?.subject ?? {}, { code: o.ackCode, ackControlId: `SINEW${o.id}`, timestamp, issues: o.reason ?? undefined }),
      );
      const charset = messages[0]?.subject.charset ?? 'utf8';
      if (!batch) return { ack: acks[0] as string, ackBytes: encodeWith(acks[0] as string, charset), outcomes };
      // HL7 v2 chapter 2.10.3: a batch is answered by a batch of acknowledgements.
      const ack = `BHS|^~\\&|SINEW|SINEW|||${timestamp}\r${acks.join('')}BTS|${acks.length}\r`;
      return { ack, ackBytes: encodeWith(ack, charset), outcomes };
    },
  };
}

function encodeWith(text: string, charset: string): Buffer {
  if (charset === 'utf8') return Buffer.from(text, 'utf8');
  return iconv.encodingExists(charset) ? iconv.encode(text, charset) : Buffer.from(text, 'utf8');
}
