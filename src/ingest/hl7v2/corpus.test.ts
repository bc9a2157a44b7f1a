import { describe, it, expect } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OperationOutcomeError } from '../../fhir/outcomes.js';
import { HL7_CORPUS } from '../../../test/support/paths.js';
import { decodeHl7Bytes } from './decode.js';
import { splitMessages } from './batch.js';
import { Hl7v2Message } from './message.js';
import { validateStructure } from './structure.js';

/** Message files: `.hl7`, Microsoft's `.hl7v2`, and the IG's `Message.hl7_MDM_T02.txt`. */
function messageFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return messageFiles(p);
    return /\.(hl7|hl7v2)$/.test(e.name) || /^Message\.hl7_.*\.txt$/.test(e.name) ? [p] : [];
  });
}

/** The corpus README's deliberately malformed MSH-2 `^~\\&` (LinuxForHealth #48). */
const NEGATIVE = new Map([
  ['linuxforhealth-hl7v2-fhir-converter/sample_unix.hl7', 'MSH-2'],
  ['linuxforhealth-hl7v2-fhir-converter/sample_win.hl7', 'MSH-2'],
]);

const files = messageFiles(HL7_CORPUS);

describe('HL7v2 corpus', () => {
  it('finds the corpus message files', () => {
    expect(files.length).toBeGreaterThanOrEqual(320);
  });

  it.each(files.map((f) => [path.relative(HL7_CORPUS, f), f]))('%s decodes, splits, parses and round-trips', (rel, file) => {
    const { text } = decodeHl7Bytes(readFileSync(file));
    const { messages } = splitMessages(text);
    expect(messages.length).toBeGreaterThan(0);
    for (const raw of messages) {
      const location = NEGATIVE.get(rel);
      if (location) {
        const err = catchError(() => Hl7v2Message.parse(raw));
        expect(err).toBeInstanceOf(OperationOutcomeError);
        expect((err as OperationOutcomeError).outcome.issue?.[0]?.expression).toEqual([location]);
        continue;
      }
      const msg = Hl7v2Message.parse(raw);
      expect(msg.toString()).toBe(raw);
      expect(msg.segments()[0]!.name).toBe('MSH');
      expect(msg.messageType.code).not.toBe('');
      expect(() => validateStructure(msg)).not.toThrow();
    }
  });

  it('counts messages across the corpus (batches hold several)', () => {
    let total = 0;
    for (const f of files) total += splitMessages(decodeHl7Bytes(readFileSync(f)).text).messages.length;
    expect(total).toBeGreaterThanOrEqual(files.length + 2);
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  return undefined;
}
