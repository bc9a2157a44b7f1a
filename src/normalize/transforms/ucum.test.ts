import { describe, expect, it } from '@jest/globals';
import { looksLikeUcum } from './ucum.js';

describe('looksLikeUcum', () => {
  it('accepts the UCUM units labs send without naming the system', () => {
    for (const u of ['mg/dL', '10*3/uL', '%', 'mmol/L', 'fL', 'umol/L', 'mL/min/{1.73_m2}', '/min', '[IU]/L', 'mm[Hg]', 'kg/m2', 'Cel']) {
      expect([u, looksLikeUcum(u)]).toEqual([u, true]);
    }
  });
  it('refuses words and lookalikes that UCUM does not define', () => {
    for (const u of ['grams', 'µmol/L', 'tera.l-1', 'beats/min', 'IU/L', 'mg per dL', '']) expect([u, looksLikeUcum(u)]).toEqual([u, false]);
  });
});
