import type { Attachment, Quantity, Range, Ratio } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import { hl7ToFhirDate, hl7ToFhirDateTime } from '../../ingest/hl7v2/index.js';
import { ERROR_CODES } from '../convert-issue.js';
import { codingSystemUri } from './coding-system.js';
import { cweComponents } from './cwe-to-codeableconcept.js';
import type { TransformContext } from './transform.js';
import { looksLikeUcum } from './ucum.js';

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)$/;
const COMPARED = /^(<=|>=|<|>)\s*([+-]?(?:\d+\.?\d*|\.\d+))$/;

/**
 * OBX-5 → Observation.value[x] by OBX-2 (IG OBX[Observation]): NM → valueQuantity with the UCUM
 * unit of OBX-6, ST/TX/FT → valueString, CWE/CE → valueCodeableConcept, SN → Quantity/Range/Ratio,
 * DT/DTM/TS → valueDateTime, ED → valueAttachment (not an R4 Observation value: the report-text
 * step moves it to DiagnosticReport.presentedForm). Returns `{ value<Type>: … }` for `value[x]`.
 */
export function obxValue(field: Hl7v2Field, ctx: TransformContext): Record<string, unknown> | undefined {
  const type = ctx.segment.field(2).component(1).trim().toUpperCase();
  const raw = field.value();
  if (raw.trim() === '') return undefined;
  const bad = (what: string): undefined => {
    ctx.issue('error', ERROR_CODES.dataType, `"${raw}" is not ${what} (OBX-2 is ${type})`);
    return undefined;
  };
  switch (type) {
    case 'NM': {
      const v = field.component(1).trim();
      if (NUMBER.test(v)) return { valueQuantity: quantity(Number(v), ctx) };
      // `<15` in an NM field is common (labs put the comparator in the number); SN is what v2 means.
      const cmp = COMPARED.exec(v);
      if (!cmp) return bad('a number');
      ctx.issue('warning', ERROR_CODES.dataType, `"${v}" has a comparator; read as SN (OBX-2 is NM)`);
      return { valueQuantity: { ...quantity(Number(cmp[2]), ctx), comparator: cmp[1] as Quantity['comparator'] } };
    }
    case 'ST': case 'TX': case 'FT':
      // Free text may carry raw `^` (notes/hl7v2.md §5): keep the whole repetition.
      return { valueString: field.value() };
    case 'CWE': case 'CE': case 'CNE': case 'CF': {
      const cc = cweComponents(field, ctx.vocabularies);
      return cc ? { valueCodeableConcept: cc } : undefined;
    }
    case 'SN': return snValue(field, ctx) ?? bad('a structured numeric (SN: comparator^num1^separator^num2)');
    case 'DT': case 'DTM': case 'TS':
      try {
        const v = field.component(1).trim();
        return { valueDateTime: type === 'DT' ? hl7ToFhirDate(v) : hl7ToFhirDateTime(v, ctx.zone).value };
      } catch {
        return bad('an HL7 date/time');
      }
    case 'ED': return edValue(field, ctx);
    default:
      ctx.issue('warning', ERROR_CODES.dataType, `OBX-2 value type "${type}" is not mapped; value kept as text`, ctx.location.replace(/-5.*$/, '-2'));
      return { valueString: raw };
  }
}

function quantity(value: number, ctx: TransformContext): Quantity {
  const units = ctx.segment.field(6);
  const code = units.component(1).trim();
  const text = units.component(2).trim();
  const system = codingSystemUri(units.component(3).trim(), ctx.vocabularies);
  // The IG maps OBX-6 to Quantity.unit/code/system; with no system sent, UCUM only when the unit parses as UCUM.
  const coded = system ? code : looksLikeUcum(code) ? code : '';
  return {
    value,
    ...(code || text ? { unit: text || code } : {}),
    ...(coded ? { code: coded, system: system ?? 'http://unitsofmeasure.org' } : {}),
  };
}

function snValue(field: Hl7v2Field, ctx: TransformContext): Record<string, unknown> | undefined {
  const comparator = field.component(1).trim();
  const n1 = field.component(2).trim();
  const sep = field.component(3).trim();
  const n2 = field.component(4).trim();
  const lone = !n1 && !sep && COMPARED.exec(comparator);
  if (lone) {
    ctx.issue('warning', ERROR_CODES.dataType, `"${comparator}" puts comparator and number in SN.1; read as ${lone[1]}^${lone[2]}`);
    return { valueQuantity: { ...quantity(Number(lone[2]), ctx), comparator: lone[1] as Quantity['comparator'] } };
  }
  if (!NUMBER.test(n1) || (n2 && !NUMBER.test(n2)) || (sep && !['-', ':', '/', '+', '.'].includes(sep))) return undefined;
  // IG OBX[Observation]: an SN that is not a quantity, range or ratio (`-^1^+^3`) is kept as text.
  if (sep === '+' || sep === '.' || (comparator && !['<', '<=', '>=', '>', '='].includes(comparator))) {
    return { valueString: [comparator, n1, sep, n2].filter(Boolean).join(' ') };
  }
  if (sep === ':' || sep === '/') {
    return { valueRatio: { numerator: { value: Number(n1) }, denominator: { value: Number(n2) } } satisfies Ratio };
  }
  if (sep === '-') {
    const unit = quantity(0, ctx);
    const low = { ...unit, value: Number(n1) };
    const high = { ...unit, value: Number(n2) };
    return { valueRange: { low, high } satisfies Range };
  }
  if (sep) return undefined;
  const q = quantity(Number(n1), ctx);
  if (comparator && ['<', '<=', '>=', '>'].includes(comparator)) return { valueQuantity: { ...q, comparator: comparator as Quantity['comparator'] } };
  if (comparator && comparator !== '=') return undefined;
  return { valueQuantity: q };
}

/** ED → Attachment; a missing or broken payload is reported here, once. */
function edValue(field: Hl7v2Field, ctx: TransformContext): { valueAttachment: Attachment } | undefined {
  const type = field.component(2).trim().toUpperCase();
  const subtype = field.component(3).trim().toLowerCase();
  const encoding = field.component(4).trim().toUpperCase();
  // Base64 arrives broken across lines by some senders (dcm4che PDF sample): whitespace is not data.
  const data = field.component(5).replace(/\s+/g, '');
  if (!data) {
    ctx.issue('warning', ERROR_CODES.dataType, 'ED has no data (OBX-5.5 is empty)');
    return undefined;
  }
  const contentType = type === 'APPLICATION' || type === 'AP' ? `application/${subtype || 'octet-stream'}` : type === 'TEXT' ? `text/${subtype || 'plain'}` : type === 'IM' || type === 'IMAGE' ? `image/${subtype || 'jpeg'}` : subtype === 'pdf' ? 'application/pdf' : 'application/octet-stream';
  if (encoding === 'BASE64' || encoding === 'B64') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) {
      ctx.issue('error', ERROR_CODES.dataType, 'ED data (OBX-5.5) is not valid base64');
      return undefined;
    }
    return { valueAttachment: { contentType, data } };
  }
  return { valueAttachment: { contentType, data: Buffer.from(field.component(5), 'utf8').toString('base64') } };
}
