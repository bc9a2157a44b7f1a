import { describe, it, expect } from '@jest/globals';
import { Hl7Message } from '@medplum/core';
import { simulateHospital } from './simulate.js';
import { easternOffsetMinutes, HOUR } from './time.js';
import type { SimMessage } from './types.js';

const small = simulateHospital({ patients: 50, days: 5, seed: 1 });

/** HL7 DTM → epoch ms; bare local times are New York wall clock. */
function parseTs(ts: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})([+-]\d{4})?$/.exec(ts);
  if (!m) throw new Error(`bad TS ${ts}`);
  const naive = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  if (m[7]) {
    const sign = m[7][0] === '-' ? -1 : 1;
    return naive - sign * (Number(m[7].slice(1, 3)) * 60 + Number(m[7].slice(3))) * 60_000;
  }
  return naive - easternOffsetMinutes(naive + 5 * HOUR) * 60_000;
}

const seg = (m: SimMessage, name: string): string[] => m.text.split('\r').find((s) => s.startsWith(`${name}|`))?.split('|') ?? [];

describe('simulateHospital', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const again = simulateHospital({ patients: 50, days: 5, seed: 1 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(small));
    const other = simulateHospital({ patients: 50, days: 5, seed: 2 });
    expect(other.messages.map((m) => m.text).join('')).not.toBe(small.messages.map((m) => m.text).join(''));
  });

  it('emits every message type', () => {
    const types = new Set(small.messages.map((m) => m.type));
    for (const t of ['ADT^A04', 'ADT^A01', 'ADT^A02', 'ADT^A08', 'ADT^A03', 'ADT^A11', 'ADT^A40', 'ORU^R01', 'ORM^O01', 'MDM^T02', 'RDE^O11']) {
      expect(types).toContain(t);
    }
    expect(new Set(small.messages.map((m) => m.facility))).toEqual(new Set(['NORTH', 'SOUTH', 'LAB', 'RAD']));
  });

  it('writes structurally valid HL7 v2.5.1 in send order with unique control ids', () => {
    const ids = new Set<string>();
    let last = '';
    for (const m of small.messages) {
      const msg = Hl7Message.parse(m.text);
      expect(msg.getSegment('MSH')?.getField(9).toString()).toMatch(new RegExp(`^${m.type.replace('^', '\\^')}\\^`));
      expect(msg.getSegment('MSH')?.getField(10).toString()).toBe(m.controlId);
      expect(msg.getSegment('MSH')?.getField(12).toString()).toBe('2.5.1');
      expect(msg.getSegment('MSH')?.getField(4).toString()).toBe(m.facility);
      expect(parseTs(msg.getSegment('MSH')?.getField(7).toString() ?? '')).toBe(Date.parse(m.sentAt));
      expect(msg.getSegment('PID')?.getField(3).getComponent(1)).toBeTruthy();
      if (m.type.startsWith('ADT^') && m.type !== 'ADT^A40') expect(msg.getSegment('PV1')?.getField(19).toString()).toBeTruthy();
      expect(m.sentAt >= last).toBe(true);
      last = m.sentAt;
      ids.add(m.controlId);
    }
    expect(ids.size).toBe(small.messages.length);
  });

  it('records the same person under several MRNs, with demographic noise', () => {
    const { records, persons } = small.truth;
    const byPerson = new Map<string, Set<string>>();
    for (const r of records) byPerson.set(r.personId, (byPerson.get(r.personId) ?? new Set()).add(r.system));
    expect([...byPerson.values()].filter((s) => s.has('NORTH') && s.has('SOUTH')).length).toBeGreaterThan(0);
    expect(records.filter((r) => r.noise.length > 0).length).toBeGreaterThan(5);
    expect(new Set(records.map((r) => `${r.system}|${r.value}`)).size).toBe(records.length);
    const noisy = records.find((r) => r.noise.includes('typo-family') || r.noise.includes('nickname'));
    expect(noisy).toBeDefined();
    const person = persons.find((p) => p.personId === noisy?.personId);
    expect(`${noisy?.demographics.family} ${noisy?.demographics.given}`).not.toBe(`${person?.family} ${person?.given}`);
  });

  it('merges a same-campus duplicate with A40 days after it appeared', () => {
    expect(small.truth.merges.length).toBeGreaterThan(0);
    for (const merge of small.truth.merges) {
      const msg = small.messages.find((m) => m.controlId === merge.controlId);
      expect(msg?.type).toBe('ADT^A40');
      expect(seg(msg as SimMessage, 'MRG')[1]).toBe(`${merge.merged}^^^${merge.system}^MR`);
      expect(seg(msg as SimMessage, 'PID')[3]).toContain(merge.survivor);
      expect(Date.parse(merge.sentAt) - Date.parse(merge.duplicateCreatedAt)).toBeGreaterThanOrEqual(48 * HOUR);
      const dup = small.truth.records.find((r) => r.value === merge.merged);
      expect(dup?.duplicate).toBe(true);
      expect(dup?.personId).toBe(merge.personId);
    }
  });

  it('sends lab results 1–6 h after collection, at or after OBR-22', () => {
    const labs = small.messages.filter((m) => m.facility === 'LAB');
    expect(labs.length).toBeGreaterThan(50);
    for (const m of labs) {
      const obr = seg(m, 'OBR');
      const collected = parseTs(obr[7]);
      const resulted = parseTs(obr[22]);
      if (obr[25] === 'F') {
        expect(resulted - collected).toBeGreaterThanOrEqual(HOUR);
        expect(resulted - collected).toBeLessThanOrEqual(6 * HOUR);
      }
      expect(Date.parse(m.sentAt)).toBeGreaterThanOrEqual(resulted);
      expect(m.text).toMatch(/\|[^|]+\^UCUM\|/);
    }
    for (const f of small.truth.facts.filter((x) => x.modality === 'labs')) {
      expect(Date.parse(f.sentAt) - Date.parse(f.clinicalTime)).toBeGreaterThanOrEqual(HOUR);
    }
  });

  it('corrects some results later with OBX-11 C under the same filler number', () => {
    const corrected = small.truth.facts.filter((f) => f.corrected);
    expect(corrected.length).toBeGreaterThan(0);
    for (const f of corrected) {
      const fix = small.messages.find((m) => m.controlId === f.controlId) as SimMessage;
      const original = small.messages.find((m) => m.controlId === f.correctionOf) as SimMessage;
      expect(seg(fix, 'OBR')[3]).toBe(seg(original, 'OBR')[3]);
      expect(fix.text).toMatch(/\|C\|\|\|\d{14}/);
      expect(Date.parse(fix.sentAt) - Date.parse(original.sentAt)).toBeGreaterThanOrEqual(12 * HOUR);
    }
  });

  it('describes radiology with accession numbers, a study UID and a lagging report', () => {
    const reports = small.messages.filter((m) => m.facility === 'RAD' && m.type === 'ORU^R01');
    expect(reports.length).toBeGreaterThan(0);
    for (const m of reports) {
      const obr = seg(m, 'OBR');
      expect(obr[18]).toBe(obr[3].split('^')[0]);
      expect(seg(m, 'ZDS')[1]).toMatch(/^2\.25\.\d+\^/);
      const lag = parseTs(obr[22]) - parseTs(obr[7]);
      expect(lag).toBeGreaterThanOrEqual(2 * HOUR);
      expect(lag).toBeLessThanOrEqual(24 * HOUR);
    }
    expect(small.messages.some((m) => m.text.includes('\\T\\'))).toBe(true);
  });

  it('leaves modalities missing for some patients and keeps a fact timeline', () => {
    const imaged = new Set(small.truth.facts.filter((f) => f.modality === 'imaging').map((f) => f.personId));
    expect(imaged.size).toBeLessThan(small.truth.persons.length / 2);
    for (const f of small.truth.facts) expect(Date.parse(f.sentAt)).toBeGreaterThanOrEqual(Date.parse(f.clinicalTime));
    const modalities = new Set(small.truth.facts.map((f) => f.modality));
    expect(modalities).toEqual(new Set(['labs', 'vitals', 'imaging', 'notes', 'medications', 'problems', 'encounter']));
  });

  it('writes timestamps both with and without an offset', () => {
    const msh7 = small.messages.map((m) => seg(m, 'MSH')[6]);
    expect(msh7.some((t) => /[+-]\d{4}$/.test(t))).toBe(true);
    expect(msh7.some((t) => /^\d{14}$/.test(t))).toBe(true);
  });

  it('rejects nonsense options', () => {
    expect(() => simulateHospital({ patients: 0, days: 1, seed: 1 })).toThrow(/patients/);
  });
});
