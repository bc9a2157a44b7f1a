import path from 'node:path';
import { loadNicknames } from './nicknames.js';
import type { IdentityReference } from './person.js';
import { loadPlaceholders } from './placeholder.js';

/** Load the data files of `profiles/identity/` once; callers pass the result down. */
export function loadIdentityReference(profileDir: string, today?: string): IdentityReference {
  return Object.freeze({
    nicknames: loadNicknames(path.join(profileDir, 'nicknames.json')),
    placeholders: loadPlaceholders(path.join(profileDir, 'placeholders.json')),
    ...(today ? { today } : {}),
  });
}
