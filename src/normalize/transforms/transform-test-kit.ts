import { fileURLToPath } from 'node:url';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { Hl7v2Message } from '../../ingest/hl7v2/index.js';
import type { ConvertIssue } from '../convert-issue.js';
import { loadMappings, type LoadedMappings } from '../load-mappings.js';
import type { TransformContext } from './transform.js';

/** For transform unit tests (not part of the engine): the real mapping files, loaded once per test file. */
export const testMappings: LoadedMappings = loadMappings(fileURLToPath(new URL('../../../mappings/hl7v2', import.meta.url)));

const MSH = 'MSH|^~\\&|APP|FAC|SINEW|SINEW|20240105123000||ORU^R01^ORU_R01|C1|P|2.5.1';

/** Field `n` of `segment` (repetition `rep`) inside a minimal message, with a context that records issues. */
export function fieldIn(
  segment: string, n: number, opts: { rep?: number; zone?: string; vocabulary?: string; before?: string[]; type?: string } = {},
): { field: Hl7v2Field; ctx: TransformContext; issues: ConvertIssue[] } {
  const msh = opts.type ? MSH.replace('ORU^R01^ORU_R01', opts.type) : MSH;
  const msg = Hl7v2Message.parse([msh, ...(opts.before ?? []), segment].join('\r'));
  const seg = msg.segments().at(-1)!;
  const issues: ConvertIssue[] = [];
  const location = `${seg.name}-${n}`;
  const ctx: TransformContext = {
    message: msg, segment: seg, location, zone: opts.zone ?? 'Europe/Berlin', vocabularies: testMappings.vocabularies,
    ...(opts.vocabulary ? { vocabulary: testMappings.vocabularies.get(opts.vocabulary) } : {}),
    issue: (severity, code, text, loc) => issues.push({ severity, code, text, location: loc ?? location }),
  };
  return { field: seg.field(n).repetition(opts.rep ?? 1), ctx, issues };
}
