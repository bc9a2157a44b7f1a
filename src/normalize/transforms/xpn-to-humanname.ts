import type { HumanName } from '@medplum/fhirtypes';
import type { Hl7v2Field } from '../../ingest/hl7v2/index.js';
import type { TransformContext } from './transform.js';

/** XPN → HumanName (IG XPN[HumanName]): 1.1 family (FN.1 surname), 2-3 given, 4 suffix, 5 prefix, 6 degree suffix, 7 use (table 0200). */
export function xpnToHumanName(field: Hl7v2Field, ctx: Pick<TransformContext, 'vocabularies'>): HumanName | undefined {
  return nameFrom(field, 0, ctx);
}

/** XCN shares XPN's layout shifted by one (XCN.2 family); reused for practitioners. */
export function nameFrom(field: Hl7v2Field, shift: number, ctx: Pick<TransformContext, 'vocabularies'>): HumanName | undefined {
  const c = (n: number): string => field.component(n + shift).trim();
  // XPN.1 is FN (v2.3+): surname & own-surname prefix & own surname & partner prefix & partner surname.
  const family = field.component(1 + shift, 1).trim();
  const given = [c(2), ...c(3).split(' ')].filter(Boolean);
  const suffix = [c(4), c(6)].filter(Boolean);
  const prefix = c(5);
  if (!family && given.length === 0) return undefined;
  const use = shift === 0 && c(7) ? ctx.vocabularies.get('NameType')?.codes[c(7)]?.code : undefined;
  return {
    ...(use ? { use: use as HumanName['use'] } : {}),
    ...(family ? { family } : {}),
    ...(given.length ? { given } : {}),
    ...(prefix ? { prefix: [prefix] } : {}),
    ...(suffix.length ? { suffix } : {}),
  };
}
