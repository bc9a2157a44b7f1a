/** `sinew simulate`: a deterministic HL7 v2.5.1 feed from a two-campus hospital, plus its ground truth. */
export { simulateHospital, DEFAULT_START } from './simulate.js';
export { writeFeed, sendFeed, type SendFeedOptions, type SendFeedResult } from './feed.js';
export type {
  SimulateOptions, SimMessage, SimTruth, SimulateResult, TruthPerson, TruthRecord, TruthFact, TruthMerge, TruthEncounter,
  Demographics, NoiseKind, Modality,
} from './types.js';
