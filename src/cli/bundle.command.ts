import { Command } from 'commander';
import type { Parameters } from '@medplum/fhirtypes';
import { ConfigError } from '../config/load-config.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { OperationOutcomeError, outcomeToLine } from '../fhir/outcomes.js';
import { alignedBundleFor } from '../fusion/aligned-bundle.service.js';
import { loadSpecRegistry, type SpecRegistry } from '../fusion/spec.js';
import { toFhirParameters } from '../fusion/to-fhir-parameters.js';
import { fusionSpecsDir } from './profile-dirs.js';
import { addSettings, configFrom, DATABASE_SETTINGS } from './options.js';
import { patientRecordsResolver } from '../identity/patient-records.js';
import { parseIdentifier, sourceForIdentifier } from './patient-lookup.js';
import { remoteAlignedBundle } from './remote-bundle.js';
import { findRunningServer } from './running-server.js';

export interface BundleRun {
  /** `SYSTEM|VALUE`, or a Patient id (source or golden record), optionally as `Patient/ID`. */
  patient: string;
  at: string;
  asOf?: string;
  spec?: string;
}

/**
 * The command's work on an open database: identifier → source record (identity layer) → the
 * aligned bundle over every record linked to it as known at as-of, exactly as `/fhir` answers.
 */
export async function runBundle(db: Db, specs: SpecRegistry, run: BundleRun, now: () => Date = () => new Date()): Promise<Parameters> {
  const identifier = parseIdentifier(run.patient);
  const patientId = identifier ? await sourceForIdentifier(db, identifier.system, identifier.value) : run.patient.replace(/^Patient\//, '');
  const bundle = await alignedBundleFor(
    { db, specs, now, resolvePatientRecords: patientRecordsResolver(db) },
    { patientId, indexTime: run.at, ...(run.asOf ? { asOf: run.asOf } : {}), ...(run.spec ? { spec: run.spec } : {}) },
  );
  return toFhirParameters(bundle);
}

/** `sinew bundle --patient SYSTEM|VALUE --at TIME [--spec NAME] [--as-of TIME]` (INTERFACE.md). */
export function bundleCommand(): Command {
  return addSettings(new Command('bundle'), DATABASE_SETTINGS)
    .description('print the time-aligned multimodal bundle (a FHIR Parameters resource) for one patient at one moment')
    .requiredOption('--patient <SYSTEM|VALUE>', 'the patient: an identifier SYSTEM|VALUE (e.g. urn:sinew:assigning-authority:NORTH|1000001), or a Patient id')
    .requiredOption('--at <TIME>', 'index time, an ISO date-time with a zone (e.g. 2026-01-06T12:00:00Z)')
    .option('--as-of <TIME>', 'what was known at this time (default: the index time)')
    .option('--spec <NAME>', 'fusion spec in profiles/fusion (default: default)')
    .action(async (opts: Record<string, unknown> & { patient: string; at: string; asOf?: string; spec?: string }) => {
      const config = configFrom(opts);
      const run: BundleRun = { patient: opts.patient, at: opts.at, ...(opts.asOf ? { asOf: opts.asOf } : {}), ...(opts.spec ? { spec: opts.spec } : {}) };
      // PGlite admits one process: while `serve` holds the folder, ask it over HTTP instead.
      const server = config.databaseUrl ? undefined : findRunningServer(config.dataDir);
      let out: Parameters;
      try {
        if (server) out = await remoteAlignedBundle(config, server.http, run);
        else {
          const specs = loadSpecRegistry(fusionSpecsDir());
          const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
          try {
            await migrateToLatest(database.db);
            out = await runBundle(database.db, specs, run);
          } finally {
            await database.close();
          }
        }
      } catch (err) {
        // Parameter problems read as one CLI error line, not a stack trace.
        if (err instanceof OperationOutcomeError) throw new ConfigError(outcomeToLine(err.outcome));
        throw err;
      }
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    });
}
