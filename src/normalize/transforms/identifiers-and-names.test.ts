import { describe, expect, it } from '@jest/globals';
import { cxToIdentifier } from './cx-to-identifier.js';
import { xadToAddress } from './xad-to-address.js';
import { xpnToHumanName } from './xpn-to-humanname.js';
import { xtnToContactPoint } from './xtn-to-contactpoint.js';
import { fieldIn } from './transform-test-kit.js';

describe('cx-to-identifier', () => {
  it('maps value, assigning authority namespace and type (table 0203)', () => {
    const { field, ctx } = fieldIn('PID|1||MRN1^^^HOSP^MR', 3);
    expect(cxToIdentifier(field, ctx)).toEqual({
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR', display: 'Medical record number' }] },
      system: 'urn:sinew:assigning-authority:HOSP',
      value: 'MRN1',
    });
  });
  it('prefers an ISO OID (CX.4.2) as urn:oid', () => {
    const { field, ctx } = fieldIn('PID|1||123^^^HOSP&1.2.3.4&ISO', 3);
    expect(cxToIdentifier(field, ctx)).toEqual({ system: 'urn:oid:1.2.3.4', value: '123' });
  });
  it('reads the second repetition and returns undefined without CX.1', () => {
    expect(cxToIdentifier(fieldIn('PID|1||A^^^H~B^^^SSA^SS', 3, { rep: 2 }).field, fieldIn('PID', 1).ctx)?.value).toBe('B');
    expect(cxToIdentifier(fieldIn('PID|1||^^^HOSP^MR', 3).field, fieldIn('PID', 1).ctx)).toBeUndefined();
  });
});

describe('xpn-to-humanname', () => {
  it('maps family, given + middle, suffix, prefix and name type', () => {
    const { field, ctx } = fieldIn('PID|1||1||O\\S\\BRIEN^JOHN^PAUL^JR^DR^^D', 5);
    expect(xpnToHumanName(field, ctx)).toEqual({ use: 'usual', family: 'O^BRIEN', given: ['JOHN', 'PAUL'], prefix: ['DR'], suffix: ['JR'] });
  });
  it('takes the surname of an FN family (XPN.1.1), not its prefix or partner subcomponents', () => {
    const { field, ctx } = fieldIn('PID|1||1||EVERYMAN&&&&Aniston^ADAM', 5);
    expect(xpnToHumanName(field, ctx)).toEqual({ family: 'EVERYMAN', given: ['ADAM'] });
  });
  it('is undefined for an empty name', () => {
    const { field, ctx } = fieldIn('PID|1||1||^^^^^^L', 5);
    expect(xpnToHumanName(field, ctx)).toBeUndefined();
  });
});

describe('xad-to-address', () => {
  it('maps lines, city, state, zip, country and use', () => {
    const { field, ctx } = fieldIn('PID|1||1||||||||1 Main St^Apt 2^Albany^NY^12203^USA^H', 11);
    expect(xadToAddress(field, ctx)).toEqual({ use: 'home', line: ['1 Main St', 'Apt 2'], city: 'Albany', state: 'NY', postalCode: '12203', country: 'USA' });
  });
});

describe('xtn-to-contactpoint', () => {
  it('keeps an unstructured number and maps use (table 0201)', () => {
    const { field, ctx } = fieldIn('PID|1||1||||||||||(518)555-0100^PRN^PH', 13);
    expect(xtnToContactPoint(field, ctx)).toEqual({ system: 'phone', value: '(518)555-0100', use: 'home' });
  });
  it('builds a structured number and reads email', () => {
    expect(xtnToContactPoint(fieldIn('PID|1||1||||||||||^WPN^PH^^1^518^5550100^12', 13).field, fieldIn('PID', 1).ctx))
      .toEqual({ system: 'phone', value: '+1 (518) 5550100 ext. 12', use: 'work' });
    expect(xtnToContactPoint(fieldIn('PID|1||1||||||||||^NET^Internet^a@b.org', 13).field, fieldIn('PID', 1).ctx))
      .toEqual({ system: 'email', value: 'a@b.org' });
  });
  it('lets XTN.3 decide: a cell phone with an address in XTN.4 is the phone (XTN.12 first), with its rank', () => {
    const { field, ctx } = fieldIn('PID|1||1||||||||||78788788^^CP^5555^^^1111^^^^^2222^20010110^20020110^^^^18', 13);
    expect(xtnToContactPoint(field, ctx)).toEqual({ system: 'phone', value: '2222', rank: 18 });
    expect(xtnToContactPoint(fieldIn('PID|1||1||||||||||^^^x@y.org', 13).field, ctx)).toEqual({ system: 'email', value: 'x@y.org' });
  });
});
