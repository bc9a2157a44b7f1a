import path from 'node:path';
import { defaultProfileDir } from '../identity/identity-deps.js';

/** `profiles/fusion` of this installation (alignment specs), found the way `/fhir` finds it. */
export function fusionSpecsDir(): string {
  return path.join(path.dirname(defaultProfileDir()), 'fusion');
}

/** `profiles/models` of this installation (model backends). */
export function modelsDir(): string {
  return path.join(path.dirname(defaultProfileDir()), 'models');
}
