import type { Attachment, DocumentReference } from '@medplum/fhirtypes';
import { ERROR_CODES } from '../convert-issue.js';
import { obxValue } from '../transforms/obx-value.js';
import { base64, live, segmentLocation, type Assembly } from './assembly.js';

/**
 * MDM: the OBX lines after a TXA are the document body (IG OBX[DocumentReference]). Text lines are
 * joined into one text/plain attachment; ED lines become attachments of their own type.
 */
export function documentContent(a: Assembly): void {
  for (const e of live(a, 'DocumentReference')) {
    const doc = e.resource as DocumentReference;
    const lines: string[] = [];
    const attachments: Attachment[] = [];
    for (const obx of a.message.segments('OBX').filter((s) => s.index > e.segment.index)) {
      const type = obx.field(2).component(1);
      const location = `${segmentLocation(a.message, obx)}-5`;
      if (type === 'ED') {
        const v = obxValue(obx.field(5), {
          message: a.message, segment: obx, location, zone: a.zone, vocabularies: a.mappings.vocabularies,
          issue: (sev, code, text, loc) => a.issue(sev, code, loc ?? location, text),
        });
        if (v?.valueAttachment) attachments.push(v.valueAttachment as Attachment);
      } else {
        lines.push(obx.field(5).repetitions.map((r) => r.value()).join('\n'));
      }
    }
    if (lines.length) attachments.unshift({ contentType: 'text/plain; charset=utf-8', data: base64(lines.join('\n')) });
    if (!attachments.length) {
      a.issue('error', ERROR_CODES.requiredFieldMissing, segmentLocation(a.message, e.segment), 'document has no content: no OBX follows the TXA');
      continue;
    }
    const title = doc.type?.text ?? doc.type?.coding?.[0]?.display;
    doc.content = attachments.map((attachment) => ({ attachment: { ...attachment, ...(title ? { title } : {}) } }));
  }
}
