import { describe, it, expect } from '@jest/globals';
import iconv from 'iconv-lite';
import { decodeHl7Bytes } from './decode.js';

const msh = (msh18: string, body = 'PID|1||X||MÜLLER^JOSÉ'): string => `MSH|^~\\&|A|B|C|D|1||ADT^A01|1|P|2.5||||||${msh18}\r${body}`;

describe('decodeHl7Bytes', () => {
  it('strips a UTF-8 BOM', () => {
    const r = decodeHl7Bytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(msh(''), 'utf8')]));
    expect(r.text.startsWith('MSH|')).toBe(true);
    expect(r.charset).toBe('utf8');
    expect(r.text).toContain('MÜLLER^JOSÉ');
  });

  it('detects UTF-16 BOMs', () => {
    const le = decodeHl7Bytes(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(msh(''), 'utf16le')]));
    expect(le).toEqual({ text: msh(''), charset: 'utf16le', warnings: [] });
    const be = decodeHl7Bytes(Buffer.concat([Buffer.from([0xfe, 0xff]), iconv.encode(msh(''), 'utf16be')]));
    expect(be.text).toBe(msh(''));
  });

  it.each([
    ['8859/1', 'latin1'],
    ['ISO IR100', 'latin1'],
    ['ISO_IR 100', 'latin1'],
    ['Windows-1252', 'windows-1252'],
    ['CP1252', 'windows-1252'],
    ['UNICODE UTF-8', 'utf8'],
    ['UTF-8', 'utf8'],
    ['UNICODE', 'utf8'],
    ['8859/15', 'iso-8859-15'],
  ])('decodes by MSH-18 %s', (name, encoding) => {
    const text = msh(name);
    const r = decodeHl7Bytes(iconv.encode(text, encoding));
    expect(r.text).toBe(text);
    expect(r.warnings).toEqual([]);
  });

  it('uses the first repetition of MSH-18', () => {
    const text = msh('8859/1~UNICODE UTF-8');
    expect(decodeHl7Bytes(iconv.encode(text, 'latin1')).text).toBe(text);
  });

  it('decodes plain ASCII as declared and 8-bit bytes declared ASCII as windows-1252 with a warning', () => {
    expect(decodeHl7Bytes(Buffer.from(msh('ASCII', 'PID|1||X'))).charset).toBe('ascii');
    const r = decodeHl7Bytes(iconv.encode(msh('ASCII'), 'latin1'));
    expect(r.text).toBe(msh('ASCII'));
    expect(r.warnings[0]).toContain('ASCII');
  });

  it('falls back to UTF-8 with a warning for an unknown charset', () => {
    const r = decodeHl7Bytes(Buffer.from(msh('KLINGON'), 'utf8'));
    expect(r.charset).toBe('utf8');
    expect(r.text).toBe(msh('KLINGON'));
    expect(r.warnings[0]).toContain('KLINGON');
  });

  it('sniffs UTF-8 when MSH-18 is missing, else latin1 with a warning', () => {
    expect(decodeHl7Bytes(Buffer.from(msh(''), 'utf8'))).toEqual({ text: msh(''), charset: 'utf8', warnings: [] });
    const r = decodeHl7Bytes(Buffer.from(msh(''), 'latin1'));
    expect(r.text).toBe(msh(''));
    expect(r.charset).toBe('iso-8859-1');
    expect(r.warnings).toHaveLength(1);
  });

  it('uses the fallback charset when MSH-18 is missing', () => {
    expect(decodeHl7Bytes(Buffer.from(msh(''), 'latin1'), '8859/1')).toEqual({ text: msh(''), charset: 'iso-8859-1', warnings: [] });
  });

  it('finds MSH-18 behind FHS/BHS lines and custom separators', () => {
    const text = `FHS|^~\\&|F\nBHS|^~\\&|B\n${msh('8859/1')}`;
    expect(decodeHl7Bytes(Buffer.from(text, 'latin1')).text).toBe(text);
    const custom = 'MSH#$%@*#A#B#C#D#1##ADT$A01#1#P#2.5######8859/1\rPID#1##MÜLLER';
    expect(decodeHl7Bytes(Buffer.from(custom, 'latin1')).text).toBe(custom);
  });
});
