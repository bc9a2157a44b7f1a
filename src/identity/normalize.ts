/** Upper case, no diacritics, no punctuation, single spaces. */
export function normalizeText(s: string | undefined): string {
  if (!s) return '';
  return s
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/['’`]/g, '')
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
}

export function normalizePhone(s: string | undefined): string {
  return (s ?? '').replace(/\D+/g, '');
}

/** Postcodes keep one inner space: the UK outward code before it is a useful partial match. */
export function normalizePostcode(s: string | undefined): string {
  return (s ?? '').toUpperCase().replace(/[^A-Z0-9 ]+/g, '').replace(/\s+/g, ' ').trim();
}
