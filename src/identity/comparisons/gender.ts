import { NULL_LEVEL, type Comparison } from './comparison.js';

/** Administrative gender; unknown is absent, so it compares as null. */
export const genderComparison: Comparison = {
  name: 'gender',
  levels: ['exact', 'else'],
  compare(a, b) {
    if (!a.gender || !b.gender) return NULL_LEVEL;
    return a.gender === b.gender ? 0 : 1;
  },
  show: (p) => p.gender,
};
