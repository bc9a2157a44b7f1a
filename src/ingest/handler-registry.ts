import type { Db } from '../db/database.js';
import type { Hl7MessageRow } from '../db/tables/hl7-message.table.js';
import type { Hl7v2Message } from './hl7v2/index.js';

export interface ProcessContext {
  /** The transaction the message's effects and its `done` mark commit in, together. */
  trx: Db;
  row: Hl7MessageRow;
  message: Hl7v2Message;
}

/**
 * What happens to a stored message after the ACK. One handler per message structure (the
 * normalizer registers the FHIR mapping here); `*` is the fallback.
 */
export interface MessageHandler {
  readonly name: string;
  readonly structures: readonly string[] | '*';
  process(ctx: ProcessContext): Promise<void>;
}

export class HandlerRegistry {
  private readonly byStructure = new Map<string, MessageHandler>();
  private fallback: MessageHandler | undefined;

  register(handler: MessageHandler): this {
    if (handler.structures === '*') this.fallback = handler;
    else for (const s of handler.structures) this.byStructure.set(s, handler);
    return this;
  }

  resolve(structure: string): MessageHandler | undefined {
    return this.byStructure.get(structure) ?? this.fallback;
  }

  supports(structure: string): boolean {
    return this.resolve(structure) !== undefined;
  }
}
