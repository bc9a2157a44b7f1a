import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_SURVIVORSHIP, loadSurvivorship, type SurvivorshipProfile } from './golden-record.js';
import { loadMatchModel, type MatchModel } from './model.js';
import type { IdentityReference } from './person.js';
import { loadIdentityReference } from './reference.js';

/** The slice of a logger the index uses: counts and ids only, never patient data. */
export interface IdentityLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Everything the index reads besides the database; loaded once and passed down (no globals). */
export interface IdentityDeps {
  model: MatchModel;
  reference: IdentityReference;
  /** Trust by assigning authority, unique identifier systems, element strategies. */
  survivorship?: SurvivorshipProfile;
  logger?: IdentityLogger;
  /** Blocking keys shared by more sources than this are skipped (candidate-explosion guard). */
  maxBlockSize?: number;
}

export const DEFAULT_MAX_BLOCK_SIZE = 200;

/** `profiles/identity` of the checkout, from src/identity (jest) or dist/src/identity (built). */
export function defaultProfileDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'profiles/identity');
    if (fs.existsSync(path.join(candidate, 'match-model.json'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('profiles/identity/match-model.json not found above the installed module');
}

/** Load model, reference tables and survivorship from one profile folder. */
export function loadIdentityDeps(profileDir = defaultProfileDir(), opts: { modelFile?: string; today?: string } = {}): IdentityDeps {
  const survivorshipFile = path.join(profileDir, 'survivorship.json');
  return {
    model: loadMatchModel(opts.modelFile ?? path.join(profileDir, 'match-model.json')),
    reference: loadIdentityReference(profileDir, opts.today),
    survivorship: fs.existsSync(survivorshipFile) ? loadSurvivorship(survivorshipFile) : DEFAULT_SURVIVORSHIP,
  };
}
