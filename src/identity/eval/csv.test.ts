import { describe, expect, it } from '@jest/globals';
import { parseCsv } from './csv.js';

describe('parseCsv', () => {
  it('reads quoted values, doubled quotes and unquoted empty fields as null', () => {
    expect(parseCsv('"a","b","c"\n"x, y",,"say ""hi"""\r\n"",z,\n')).toEqual([
      { a: 'x, y', b: null, c: 'say "hi"' },
      { a: '', b: 'z', c: null },
    ]);
  });
  it('trims FEBRL-style spaces after commas', () => {
    expect(parseCsv('rec_id, given_name\nrec-1-org, ann\n', { trim: true })).toEqual([{ rec_id: 'rec-1-org', given_name: 'ann' }]);
  });
});
