/** Segment builders shared by every message type. See: HL7 v2.5.1 ch. 2 (MSH) and ch. 3 (EVN, PID, PV1). */
import type { Demographics, Facility, RecordRef, RenderContext } from './types.js';

const SENDING_APP: Readonly<Record<Facility, string>> = { NORTH: 'NHIS', SOUTH: 'SHIS', LAB: 'LIS', RAD: 'RIS' };

/** Escapes a value for a text field (HL7 v2.5.1 §2.7.4); a line break becomes `\.br\`. */
export function esc(value: string): string {
  let out = '';
  for (const c of value) {
    switch (c) {
      case '\\': out += '\\E\\'; break;
      case '|': out += '\\F\\'; break;
      case '^': out += '\\S\\'; break;
      case '&': out += '\\T\\'; break;
      case '~': out += '\\R\\'; break;
      case '\n': out += '\\.br\\'; break;
      default: out += c;
    }
  }
  return out;
}

/** Joins fields, dropping empty trailing ones so segments look like real senders' output. */
export function seg(name: string, ...fields: (string | number | undefined)[]): string {
  let end = fields.length;
  while (end > 0 && (fields[end - 1] === undefined || fields[end - 1] === '')) end--;
  const parts = [name];
  for (let i = 0; i < end; i++) parts.push(fields[i] === undefined ? '' : String(fields[i]));
  return parts.join('|');
}

/** `MSH-9` with its message structure, e.g. ADT^A04 → ADT^A04^ADT_A01. */
const STRUCTURE: Readonly<Record<string, string>> = {
  'ADT^A01': 'ADT_A01', 'ADT^A04': 'ADT_A01', 'ADT^A08': 'ADT_A01', 'ADT^A02': 'ADT_A02', 'ADT^A03': 'ADT_A03',
  'ADT^A11': 'ADT_A09', 'ADT^A40': 'ADT_A39', 'ORU^R01': 'ORU_R01', 'ORM^O01': 'ORM_O01', 'MDM^T02': 'MDM_T02',
  'RDE^O11': 'RDE_O11',
};

export function msh(ctx: RenderContext, facility: Facility, type: string, sentAtMs: number): string {
  return `MSH|^~\\&|${SENDING_APP[facility]}|${facility}|SINEW|SINEW|${ctx.ts(sentAtMs)}||${type}^${STRUCTURE[type]}|${ctx.controlId}|P|2.5.1|||AL|NE`;
}

/** EVN-1 event type, EVN-2 recorded time, EVN-6 when it really happened. */
export function evn(ctx: RenderContext, event: string, recordedMs: number, occurredMs: number): string {
  return seg('EVN', event, ctx.ts(recordedMs), '', '', '', ctx.ts(occurredMs));
}

export const cx = (r: { system: string; value: string }): string => `${r.value}^^^${r.system}^MR`;

export function xpn(d: Demographics): string {
  return `${esc(d.family)}^${esc(d.given)}${d.middle ? `^${esc(d.middle)}` : ''}`;
}

export function pid(ids: readonly RecordRef[], d: Demographics, account?: string): string {
  const a = d.address;
  return seg(
    'PID', '1', '', ids.map(cx).join('~'), '', xpn(d), '', d.birthDate.replaceAll('-', ''), d.sex, '', '',
    `${esc(a.line)}^^${esc(a.city)}^${a.state}^${a.zip}^USA`, '', d.phone ?? '', '', '', '', '', account ?? '',
    d.ssn ?? '',
  );
}

export interface VisitInfo {
  patientClass: 'I' | 'O' | 'E';
  /** point^room^bed^facility */
  location: string;
  priorLocation?: string;
  attending: readonly [string, string, string];
  service: string;
  visitNumber: string;
  facility: string;
  admitMs: number;
  dischargeMs?: number;
}

export function pv1(ctx: RenderContext, v: VisitInfo): string {
  const [id, family, given] = v.attending;
  const f: string[] = new Array(46).fill('');
  f[1] = '1';
  f[2] = v.patientClass;
  f[3] = v.location;
  f[4] = v.patientClass === 'E' ? 'E' : v.patientClass === 'I' ? 'U' : 'R';
  f[6] = v.priorLocation ?? '';
  f[7] = `${id}^${family}^${given}^^^Dr`;
  f[10] = v.service;
  f[19] = `${v.visitNumber}^^^${v.facility}^VN`;
  f[44] = ctx.ts(v.admitMs);
  f[45] = v.dischargeMs === undefined ? '' : ctx.ts(v.dischargeMs);
  return seg('PV1', ...f.slice(1));
}

/** A segment from field positions (HL7 numbering), for segments where counting pipes invites mistakes. */
export function segAt(name: string, fields: Readonly<Record<number, string | number | undefined>>): string {
  const keys = Object.keys(fields).map(Number);
  const max = keys.length ? Math.max(...keys) : 0;
  const out: (string | number | undefined)[] = [];
  for (let i = 1; i <= max; i++) out.push(fields[i]);
  return seg(name, ...out);
}
