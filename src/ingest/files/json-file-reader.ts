import { StringDecoder } from 'node:string_decoder';
import { DEFAULT_JSON_LIMITS, JsonBundleScanner, type FhirJsonItem, type JsonLimits } from './json-bundle-scanner.js';

export { DEFAULT_JSON_LIMITS, type FhirJsonItem, type JsonLimits } from './json-bundle-scanner.js';

/**
 * Streams a FHIR JSON file (one resource, or a Bundle: https://hl7.org/fhir/R4/bundle.html):
 * a Bundle comes out as its header, then each entry as it is read, so a 1 GB Bundle holds one
 * entry at a time; any other resource is read whole up to `maxDocumentChars` (256 Mi by default)
 * and refused beyond. Problems are items, not exceptions, so the import can report them per file.
 * StringDecoder keeps a UTF-8 character cut between chunks whole.
 */
export async function* readFhirJson(
  stream: AsyncIterable<Uint8Array>,
  limits: Partial<JsonLimits> = {},
): AsyncGenerator<FhirJsonItem> {
  const scanner = new JsonBundleScanner({ ...DEFAULT_JSON_LIMITS, ...limits });
  const decoder = new StringDecoder('utf8');
  let first = true;
  for await (const chunk of stream) {
    let text = decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (first && text.length > 0) {
      text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
      first = false;
    }
    const items = scanner.push(text);
    yield* items;
    if (items.some((i) => i.kind === 'error')) return;
  }
  yield* scanner.push(decoder.end());
  yield* scanner.end();
}
