import { NULL_LEVEL, type Comparison } from './comparison.js';

/** Birth place (patient-birthPlace extension): exact, a shared word ("DEVON" / "WEST DEVON"), else. */
export const birthPlaceComparison: Comparison = {
  name: 'birth-place',
  levels: ['exact', 'shared-word', 'else'],
  compare(a, b) {
    if (!a.birthPlace || !b.birthPlace) return NULL_LEVEL;
    if (a.birthPlace === b.birthPlace) return 0;
    const words = new Set(a.birthPlace.split(' ').filter((w) => w.length > 2));
    return b.birthPlace.split(' ').some((w) => words.has(w)) ? 1 : 2;
  },
  term: (p) => p.birthPlace,
  show: (p) => p.birthPlace,
};
