import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project root, wherever the checkout lives. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** `../shared` beside the checkout: corpora and datasets are read from there, never copied in. */
export const SHARED = path.resolve(REPO_ROOT, '../shared');
export const HL7_CORPUS = path.join(SHARED, 'corpora/hl7v2');
export const DATASETS = path.join(SHARED, 'datasets');
