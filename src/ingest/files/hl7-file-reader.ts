import { Hl7ByteSplitter, type Hl7FileItem } from './hl7-byte-splitter.js';

export { DEFAULT_MAX_MESSAGE_BYTES, type Hl7FileItem } from './hl7-byte-splitter.js';

/**
 * Streams the messages of an HL7v2 file (one message, concatenated messages, FHS/BHS batches,
 * MLLP-framed dumps; CR, LF or CRLF) without reading the file into memory: at most one message is
 * held at a time. Each message's bytes are handed on exactly as in the file, minus trailing
 * terminators, so importing a file twice yields identical bytes (the message store dedupes on
 * them); decoding per MSH-18 is the caller's step (`decodeHl7Bytes` in ../hl7v2/decode.ts).
 * See Hl7ByteSplitter for the rules.
 */
export async function* readHl7Messages(
  stream: AsyncIterable<Uint8Array>,
  opts: { maxMessageBytes?: number } = {},
): AsyncGenerator<Hl7FileItem> {
  const splitter = new Hl7ByteSplitter(opts);
  for await (const chunk of stream) yield* splitter.push(chunk);
  yield* splitter.end();
}
