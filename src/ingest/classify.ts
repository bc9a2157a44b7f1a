import { createHash } from 'node:crypto';
import { OperationOutcomeError } from '@medplum/core';
import type { StoredIssue, Transport } from '../db/tables/hl7-message.table.js';
import type { AckCode, AckSubject } from './ack.js';
import { decodeHl7Bytes, decodeWith, Hl7v2Message, splitMessages, validateStructure } from './hl7v2/index.js';
import type { NewMessage } from './message-store.repository.js';

export interface Receipt {
  bytes: Buffer;
  transport: Transport;
  peer?: string;
  /** The frame was longer than the maximum: `bytes` holds only its head. */
  truncated?: boolean;
  totalBytes?: number;
  receivedAt: Date;
  /**
   * The charset the bytes are known to be in (a stored batch member is kept as UTF-8 whatever its
   * MSH-18 says); when set, MSH-18 is not consulted.
   */
  charset?: string;
}

/** One message ready to store, and what its ACK must echo. */
export interface ClassifiedMessage {
  record: NewMessage;
  subject: AckSubject;
  /** Charset and batch remarks: logged by the caller (they never contain message contents). */
  warnings: string[];
}

/** Decides, before anything is stored, what each message in a receipt is: accepted, error (AE) or rejected (AR). */
export interface Classifier {
  classify(receipt: Receipt): { messages: ClassifiedMessage[]; batch: boolean };
}

/** Structures some handler can process; anything else is `AR` 200 (unsupported message type). */
export type SupportsStructure = (structure: string) => boolean;

export function createClassifier(supports: SupportsStructure): Classifier {
  return {
    classify(receipt) {
      if (receipt.truncated) return { messages: [tooLarge(receipt)], batch: false };
      const { text, charset, warnings } = receipt.charset
        ? { text: decodeWith(receipt.bytes, receipt.charset), charset: receipt.charset, warnings: [] }
        : decodeHl7Bytes(receipt.bytes);
      const split = splitMessages(text);
      const batch = split.messages.length > 1 || split.batch !== undefined;
      if (split.messages.length === 0) {
        return { messages: [reject(receipt, receipt.bytes, charset, [{ code: 100, text: 'not an HL7 message: no MSH segment' }])], batch: false };
      }
      const messages = split.messages.map((m) => {
        // A single message keeps its exact bytes (resends must hash alike); batch members are re-encoded.
        const raw = batch ? Buffer.from(m, 'utf8') : receipt.bytes;
        return classifyOne(receipt, m, raw, batch ? 'utf8' : charset, supports, [...warnings, ...split.issues]);
      });
      return { messages, batch };
    },
  };
}

function classifyOne(receipt: Receipt, text: string, raw: Buffer, charset: string, supports: SupportsStructure, warnings: string[]): ClassifiedMessage {
  let msg: Hl7v2Message;
  try {
    msg = Hl7v2Message.parse(text, { charset });
  } catch (err) {
    return reject(receipt, raw, charset, issuesOf(err, 100), sniffControlId(text));
  }
  const type = msg.messageType;
  const subject: AckSubject = {
    controlId: msg.controlId,
    sendingApplication: msg.sendingApplication,
    sendingFacility: msg.sendingFacility,
    receivingApplication: msg.receivingApplication,
    receivingFacility: msg.receivingFacility,
    trigger: type.trigger,
    version: msg.version,
    acceptAckType: msg.acceptAckType,
    charset,
    msh18: msg.get('MSH-18') || undefined,
    encoding: msg.encoding,
  };
  let code: AckCode = 'AA';
  let issues: StoredIssue[] = [];
  if (!type.code) {
    code = 'AR';
    issues = [{ code: 101, location: 'MSH-9', text: 'MSH-9 (message type) is empty' }];
  } else if (!supports(type.structure)) {
    code = 'AR';
    issues = [{ code: 200, location: 'MSH-9', text: `unsupported message type ${type.code}^${type.trigger} (structure ${type.structure || 'unknown'})` }];
  } else {
    issues = validateStructure(msg).map((i) => ({ code: i.code, location: i.location, text: i.text }));
    if (issues.some((i) => i.code === 200 || i.code === 201 || i.code === 202 || i.code === 203)) code = 'AR';
    else if (issues.length > 0) code = 'AE';
  }
  const status = code === 'AA' ? 'accepted' : code === 'AE' ? 'error' : 'rejected';
  return {
    subject,
    warnings,
    record: {
      ...base(receipt, raw, charset),
      sender: [msg.sendingApplication, msg.sendingFacility].join('|'),
      facility: msg.sendingFacility || null,
      controlId: msg.controlId || null,
      messageType: type.code ? `${type.code}^${type.trigger}` : null,
      structure: type.structure || null,
      version: msg.version || null,
      status,
      ackCode: code,
      reason: issues.length ? issues : null,
      patientKey: patientKey(msg),
      processState: status === 'accepted' ? 'pending' : 'skipped',
    },
  };
}

/** Orders a patient's messages: the first PID-3 identifier within its assigning authority (else the facility). */
export function patientKey(msg: Hl7v2Message): string | null {
  const pid = msg.segment('PID');
  if (!pid) return null;
  const id = pid.field(3).component(1);
  if (!id) return null;
  return `${pid.field(3).component(4) || msg.sendingFacility}|${id}`;
}

function base(receipt: Receipt, raw: Buffer, charset: string) {
  return {
    receivedAt: receipt.receivedAt,
    transport: receipt.transport,
    peer: receipt.peer ?? null,
    charset,
    sha256: createHash('sha256').update(raw).digest(),
    raw,
  };
}

function reject(receipt: Receipt, raw: Buffer, charset: string, issues: StoredIssue[], controlId?: string): ClassifiedMessage {
  return {
    subject: { controlId },
    warnings: [],
    record: {
      ...base(receipt, raw, charset),
      sender: null,
      facility: null,
      controlId: controlId ?? null,
      messageType: null,
      structure: null,
      version: null,
      status: 'rejected',
      ackCode: 'AR',
      reason: issues,
      patientKey: null,
      processState: 'skipped',
    },
  };
}

function tooLarge(receipt: Receipt): ClassifiedMessage {
  const head = receipt.bytes.toString('latin1');
  const text = `message of ${receipt.totalBytes ?? '?'} bytes exceeds the maximum message size; only its first ${receipt.bytes.length} bytes were kept`;
  return reject(receipt, receipt.bytes, 'latin1', [{ code: 104, location: 'MSH', text }], sniffControlId(head));
}

/** MSH-10 read positionally, for ACKs to messages that do not parse. */
function sniffControlId(text: string): string | undefined {
  if (!text.startsWith('MSH') || text.length < 8) return undefined;
  const sep = text[3] as string;
  const first = text.split(/[\r\n]/, 1)[0] as string;
  const value = first.split(sep)[9];
  return value && value.length <= 199 ? value.split(text[4] as string)[0] : undefined;
}

export function issuesOf(err: unknown, fallbackCode: number): StoredIssue[] {
  if (err instanceof OperationOutcomeError) {
    return (err.outcome.issue ?? []).map((i) => ({
      code: fallbackCode,
      location: i.expression?.[0],
      text: i.details?.text ?? i.diagnostics ?? 'invalid message',
    }));
  }
  return [{ code: 207, text: err instanceof Error ? err.message : String(err) }];
}
