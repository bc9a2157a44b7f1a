import path from 'node:path';
import { REPO_ROOT } from './paths.js';
import { loadMatchModel, type MatchModel } from '../../src/identity/model.js';
import { derivePerson, type IdentityReference, type Person } from '../../src/identity/person.js';
import { loadIdentityReference } from '../../src/identity/reference.js';

/** Shared fixtures for the identity tests (not shipped: only *.test.ts import it). */
export const PROFILE_DIR = path.join(REPO_ROOT, 'profiles/identity');
export const MODEL_FILE = path.join(PROFILE_DIR, 'match-model.json');

export function testReference(): IdentityReference {
  return loadIdentityReference(PROFILE_DIR, '2025-06-01');
}

export function testModel(): MatchModel {
  return loadMatchModel(MODEL_FILE);
}

/** A normalised Person from terse fields, derived keys included. */
export function person(ref: IdentityReference, fields: Partial<Person> & { given?: string[]; family?: string }): Person {
  const p: Person = { given: [], family: '', phone: [], identifiers: [], ...fields };
  return { ...p, derived: derivePerson(p, ref.nicknames) };
}
