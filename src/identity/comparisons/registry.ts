import { addressComparison } from './address.js';
import { birthDateComparison } from './birth-date.js';
import { birthPlaceComparison } from './birth-place.js';
import type { Comparison } from './comparison.js';
import { familyNameComparison } from './family-name.js';
import { genderComparison } from './gender.js';
import { givenNameComparison } from './given-name.js';
import { identifierComparison } from './identifier.js';
import { phoneComparison } from './phone.js';

export const COMPARISON_NAMES = ['given-name', 'family-name', 'birth-date', 'gender', 'address', 'phone', 'identifier', 'birth-place'] as const;
export type ComparisonName = (typeof COMPARISON_NAMES)[number];

/** Every comparison a model file may name; a model picks and orders a subset. */
export const COMPARISONS: Readonly<Record<ComparisonName, Comparison>> = Object.freeze({
  'given-name': givenNameComparison,
  'family-name': familyNameComparison,
  'birth-date': birthDateComparison,
  gender: genderComparison,
  address: addressComparison,
  phone: phoneComparison,
  identifier: identifierComparison,
  'birth-place': birthPlaceComparison,
});

/** Comparisons that look at names: on their own they never justify an automatic link. */
export const NAME_COMPARISONS: readonly ComparisonName[] = ['given-name', 'family-name'];
