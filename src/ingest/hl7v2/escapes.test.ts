import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HL7_CORPUS } from '../../../test/support/paths.js';
import { decodeHl7Bytes } from './decode.js';
import { DEFAULT_ENCODING, type EncodingCharacters } from './encoding-characters.js';
import { escapeHl7, unescapeHl7 } from './escapes.js';
import { Hl7v2Message } from './message.js';

const enc = DEFAULT_ENCODING;
const u = (v: string, charset?: string): string => unescapeHl7(v, enc, charset);

describe('unescapeHl7', () => {
  it('decodes separator escapes', () => {
    expect(u('O\\S\\BRIEN')).toBe("O^BRIEN");
    expect(u('A\\F\\B\\T\\C\\R\\D\\E\\E')).toBe('A|B&C~D\\E');
  });
  it('decodes \\P\\ to the v2.7 truncation character', () => {
    expect(unescapeHl7('x\\P\\y', { ...enc, truncation: '#' })).toBe('x#y');
  });
  it('returns the same string when there is nothing to unescape', () => {
    const v = 'plain text';
    expect(u(v)).toBe(v);
  });
  it('decodes \\Xhh\\ as bytes in the declared charset', () => {
    expect(u('OPERA\\XC7\\\\XC3\\O', '8859/1')).toBe('OPERAÇÃO');
    expect(u('caf\\XC3A9\\', 'UNICODE UTF-8')).toBe('café');
    expect(u('a\\X0D\\\\X0A\\b')).toBe('a\r\nb');
  });
  it('drops NUL bytes of 4-digit hex and falls back to one char per byte for invalid UTF-8', () => {
    expect(u('a\\X000d\\\\X0A\\b')).toBe('a\r\nb');
    expect(u('\\X00E0\\')).toBe('à');
  });
  it('keeps odd-length or non-hex \\X escapes literally', () => {
    expect(u('\\XABC\\')).toBe('\\XABC\\');
    expect(u('\\XZZ\\')).toBe('\\XZZ\\');
  });
  it('turns \\.br\\ and \\.sp\\ into newlines, adjacent escapes included', () => {
    expect(u('a\\.br\\\\.br\\b')).toBe('a\n\nb');
    expect(u('a\\.sp\\b')).toBe('a\nb');
    expect(u('a\\.sp 3\\b')).toBe('a\n\n\nb');
  });
  it('drops the other formatting, highlighting and charset escapes', () => {
    expect(u('\\.in +4\\\\.ti -2\\\\.sk 1\\\\.ce\\\\.fi\\\\.nf\\x')).toBe('x');
    expect(u('\\H\\bold\\N\\')).toBe('bold');
    expect(u('a\\C2842\\b\\M2442\\c\\Zfoo\\d')).toBe('abcd');
  });
  it('keeps an unterminated or unknown escape literally', () => {
    expect(u('a\\Fb')).toBe('a\\Fb');
    expect(u('C:\\temp\\F\\')).toBe('C:\\temp|');
    expect(u('trailing\\')).toBe('trailing\\');
  });
  it("uses the message's own escape character", () => {
    const custom: EncodingCharacters = { field: '#', component: '$', repetition: '%', escape: '@', subcomponent: '*' };
    expect(unescapeHl7('a@S@b@F@c\\F\\', custom)).toBe('a$b#c\\F\\');
  });
});

describe('escapeHl7', () => {
  it('escapes separators, the escape character and line breaks', () => {
    expect(escapeHl7('a|b^c~d&e\\f', enc)).toBe('a\\F\\b\\S\\c\\R\\d\\T\\e\\E\\f');
    expect(escapeHl7('x\r\ny', enc)).toBe('x\\X0D\\\\X0A\\y');
    expect(escapeHl7('x#y', { ...enc, truncation: '#' })).toBe('x\\P\\y');
    expect(escapeHl7('no change', enc)).toBe('no change');
  });
  it('round-trips through unescapeHl7', () => {
    const v = 'O|Brien^Jr~&\\ line\nnext';
    expect(u(escapeHl7(v, enc))).toBe(v);
  });
});

describe('corpus escape samples', () => {
  it('dcm4che SIU_S12: \\XC7\\\\XC3\\ in 8859/1 is ÇÃ', () => {
    const { text } = decodeHl7Bytes(readFileSync(path.join(HL7_CORPUS, 'dcm4che-imaging/SIU_S12-NewAppointmentBooking.hl7')));
    const msg = Hl7v2Message.parse(text);
    expect(msg.charset).toBe('iso-8859-1');
    const ais = msg.segment('AIS')!;
    expect(ais.raw()).toContain('OPERA\\XC7\\\\XC3\\O');
    expect(ais.field(3).component(2)).toBe('SEPTOPLASTIA (OPERAÇÃO ISOLADA)');
  });
  it('IG MDM_T02: \\.br\\ becomes a newline in the FT OBX-5', () => {
    const { text } = decodeHl7Bytes(readFileSync(path.join(HL7_CORPUS, 'hl7-v2-to-fhir-ig/test-conversions/MDM_T02.hl7')));
    const msg = Hl7v2Message.parse(text);
    const value = msg.get('OBX[2]-5');
    expect(value).toContain('EDT \n Performed On:');
    expect(value).not.toContain('\\.br\\');
  });
});
