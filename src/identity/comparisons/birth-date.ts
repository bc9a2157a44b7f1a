import { NULL_LEVEL, type Comparison } from './comparison.js';

const LEVELS = ['exact', 'day-month-transposed', 'year-off-by-one', 'one-component-differs', 'else'] as const;

function parts(d: string | undefined): [number, number, number] | undefined {
  const m = d?.match(/^(\d{4})-(\d{2})-(\d{2})$/);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * Date of birth, full dates only (a partial date compares as null). Year ±1 with the same day
 * and month is checked before "one component differs" because it is the commoner keying error.
 */
export const birthDateComparison: Comparison = {
  name: 'birth-date',
  levels: LEVELS,
  compare(a, b) {
    const x = parts(a.birthDate);
    const y = parts(b.birthDate);
    if (!x || !y) return NULL_LEVEL;
    const [ya, ma, da] = x;
    const [yb, mb, db] = y;
    if (ya === yb && ma === mb && da === db) return 0;
    if (ya === yb && ma === db && da === mb) return 1;
    if (ma === mb && da === db && Math.abs(ya - yb) === 1) return 2;
    const same = Number(ya === yb) + Number(ma === mb) + Number(da === db);
    if (same === 2) return 3;
    return 4;
  },
  show: (p) => p.birthDate,
};
