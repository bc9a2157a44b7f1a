import type { StoredIssue } from '../db/tables/hl7-message.table.js';

export type AckCode = 'AA' | 'AE' | 'AR';

export interface AckEncoding {
  field: string;
  component: string;
  repetition: string;
  escape: string;
  subcomponent: string;
}

export const DEFAULT_ENCODING: AckEncoding = { field: '|', component: '^', repetition: '~', escape: '\\', subcomponent: '&' };

/** What an ACK needs to know about the message it answers (all optional: garbage has no MSH). */
export interface AckSubject {
  controlId?: string;
  sendingApplication?: string;
  sendingFacility?: string;
  receivingApplication?: string;
  receivingFacility?: string;
  trigger?: string;
  version?: string;
  /** MSH-15: when set, the sender asked for enhanced-mode accept acknowledgements (CA/CE/CR). */
  acceptAckType?: string;
  /** The charset the reply is encoded in (the message's own), and the MSH-18 value naming it. */
  charset?: string;
  msh18?: string;
  encoding?: AckEncoding;
}

export interface AckInput {
  code: AckCode;
  /** MSH-10 of the ACK itself: unique per reply. */
  ackControlId: string;
  timestamp: string;
  issues?: StoredIssue[];
  text?: string;
}

const ENHANCED: Record<AckCode, string> = { AA: 'CA', AE: 'CE', AR: 'CR' };
const DEFAULT_TEXT: Record<AckCode, string> = { AA: 'Message stored', AE: 'Application error', AR: 'Application reject' };

/**
 * One ACK builder for every transport (MLLP and `POST /hl7v2` answer byte-identically).
 * MSA-2 echoes MSH-10; ERR (HL7 v2.5 chapter 2.15.5) carries code (table 0357), location and text.
 */
export function buildAck(subject: AckSubject, input: AckInput): string {
  const enc = subject.encoding ?? DEFAULT_ENCODING;
  const esc = (v: string | undefined) => escapeValue(v ?? '', enc);
  const code = subject.acceptAckType ? ENHANCED[input.code] : input.code;
  const version = subject.version || '2.5.1';
  const encodingChars = enc.component + enc.repetition + enc.escape + enc.subcomponent;
  const msh = [
    'MSH',
    encodingChars,
    'SINEW',
    esc(subject.receivingFacility) || 'SINEW',
    esc(subject.sendingApplication),
    esc(subject.sendingFacility),
    input.timestamp,
    '',
    ['ACK', esc(subject.trigger), 'ACK'].join(enc.component),
    input.ackControlId,
    'P',
    version,
  ];
  // msh[i] is MSH-(i+1) from MSH-2 on (msh[11] is MSH-12): five empty fields (MSH-13…17), then MSH-18.
  if (subject.msh18) msh.push('', '', '', '', '', esc(subject.msh18));
  // MSH-1 is the field separator itself, so joining MSH, MSH-2… with it yields `MSH|^~\&|…`.
  const segments = [msh.join(enc.field)];
  const text = input.text ?? input.issues?.[0]?.text ?? DEFAULT_TEXT[input.code];
  segments.push(['MSA', code, esc(subject.controlId), esc(text.slice(0, 80))].join(enc.field));
  for (const issue of input.issues ?? []) segments.push(errSegment(issue, version, enc, esc));
  return segments.join('\r') + '\r';
}

function errSegment(issue: StoredIssue, version: string, enc: AckEncoding, esc: (v: string) => string): string {
  const location = issue.location ? toErrorLocation(issue.location, enc) : '';
  const code = [String(issue.code), esc(ERROR_NAMES[issue.code] ?? 'Error'), 'HL70357'].join(enc.component);
  const legacy = Number.parseFloat(version) < 2.5;
  // v2.5+: ERR-2 location, ERR-3 code, ERR-4 severity, ERR-8 user message; ERR-1 only for older receivers.
  return ['ERR', legacy ? legacyErrorLocation(location, issue.code, enc, esc) : '', location, code, 'E', '', '', '', esc(issue.text)].join(enc.field);
}

/**
 * ERR-1 (ELD, before v2.5): segment^sequence^field^code, where the code is a CE and so must sit in
 * component 4 as subcomponents; spreading it over components 4–6 would misplace it.
 */
function legacyErrorLocation(location: string, code: number, enc: AckEncoding, esc: (v: string) => string): string {
  const [seg = '', seq = '', field = ''] = location ? location.split(enc.component) : [];
  const ce = [String(code), esc(ERROR_NAMES[code] ?? 'Error'), 'HL70357'].join(enc.subcomponent);
  return [seg, seq, field, ce].join(enc.component);
}

/** 'OBX[2]-5.1' → ERL 'OBX^2^5^^1'; 'PID-3' → 'PID^1^3'; 'PID' → 'PID^1'. */
export function toErrorLocation(location: string, enc: AckEncoding = DEFAULT_ENCODING): string {
  const m = /^([A-Z][A-Z0-9]{2})(?:\[(\d+)\])?(?:-(\d+)(?:\[(\d+)\])?(?:\.(\d+)(?:\.(\d+))?)?)?$/.exec(location);
  if (!m) return '';
  const [, seg, seq, field, rep, comp, sub] = m;
  const parts = [seg, seq ?? '1', field ?? '', field ? (rep ?? '') : '', comp ?? '', sub ?? ''];
  while (parts.length > 2 && parts[parts.length - 1] === '') parts.pop();
  return parts.join(enc.component);
}

/** HL7 table 0357 (message error condition codes). */
export const ERROR_NAMES: Record<number, string> = {
  0: 'Message accepted',
  100: 'Segment sequence error',
  101: 'Required field missing',
  102: 'Data type error',
  103: 'Table value not found',
  104: 'Value too long',
  200: 'Unsupported message type',
  201: 'Unsupported event code',
  202: 'Unsupported processing id',
  203: 'Unsupported version id',
  204: 'Unknown key identifier',
  205: 'Duplicate key identifier',
  206: 'Application record locked',
  207: 'Application internal error',
};

function escapeValue(value: string, enc: AckEncoding): string {
  let out = '';
  for (const ch of value) {
    if (ch === enc.escape) out += `${enc.escape}E${enc.escape}`;
    else if (ch === enc.field) out += `${enc.escape}F${enc.escape}`;
    else if (ch === enc.component) out += `${enc.escape}S${enc.escape}`;
    else if (ch === enc.repetition) out += `${enc.escape}R${enc.escape}`;
    else if (ch === enc.subcomponent) out += `${enc.escape}T${enc.escape}`;
    else if (ch === '\r' || ch === '\n') out += ' ';
    else out += ch;
  }
  return out;
}
