import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import type { Parameters } from '@medplum/fhirtypes';
import { ConfigError } from '../config/load-config.js';
import { openDatabase, type Db } from '../db/database.js';
import { OperationOutcomeError, outcomeToLine } from '../fhir/outcomes.js';
import { alignedBundleFor } from '../fusion/aligned-bundle.service.js';
import { loadSpecRegistry, type SpecRegistry } from '../fusion/spec.js';
import { toFhirParameters } from '../fusion/to-fhir-parameters.js';
import { addSettings, configFrom, DATABASE_SETTINGS } from './options.js';

export interface BundleCommandDeps {
  /** `SYSTEM|VALUE` → a Patient id (source or golden record); wired by the composition root to the MPI. */
  resolveIdentifier?: (db: Db, system: string, value: string) => Promise<string | undefined>;
  /** A Patient id → its source records as known at as-of; default `timelinePatientRecords`. */
  resolvePatientRecords?: (db: Db, patientId: string, asOf: Date) => Promise<string[]>;
  specsDir?: string;
  now?: () => Date;
  write?: (text: string) => void;
}

/** Without an identity layer a Patient id is its own only record, known when it has any timeline fact. */
export async function timelinePatientRecords(db: Db, patientId: string): Promise<string[]> {
  const row = await db.selectFrom('timeline_event').select('id').where('patient_record', '=', patientId).limit(1).executeTakeFirst();
  return row ? [patientId] : [];
}

function defaultSpecsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = path.dirname(dir)) if (existsSync(path.join(dir, 'profiles/fusion'))) return path.join(dir, 'profiles/fusion');
  throw new ConfigError('profiles/fusion not found');
}

export interface BundleRun {
  patient: string;
  at: string;
  asOf?: string;
  spec?: string;
}

/** The command's work without the process around it: identifier → patient → aligned bundle. */
export async function runBundle(db: Db, specs: SpecRegistry, deps: BundleCommandDeps, run: BundleRun): Promise<Parameters> {
  const bar = run.patient.indexOf('|');
  let patientId: string | undefined;
  if (bar < 0) patientId = run.patient.replace(/^Patient\//, '');
  else {
    if (!deps.resolveIdentifier) throw new ConfigError('identifier lookup is not available in this build; pass --patient PATIENT_ID');
    patientId = await deps.resolveIdentifier(db, run.patient.slice(0, bar), run.patient.slice(bar + 1));
    if (!patientId) throw new ConfigError(`no patient has the identifier ${run.patient}`);
  }
  const resolve = deps.resolvePatientRecords ?? ((d: Db, id: string) => timelinePatientRecords(d, id));
  const bundle = await alignedBundleFor(
    { db, specs, now: deps.now ?? (() => new Date()), resolvePatientRecords: (id, asOf) => resolve(db, id, asOf) },
    { patientId, indexTime: run.at, ...(run.asOf ? { asOf: run.asOf } : {}), ...(run.spec ? { spec: run.spec } : {}) },
  );
  return toFhirParameters(bundle);
}

/** `sinew bundle --patient SYSTEM|VALUE --at TIME [--spec NAME] [--as-of TIME]` (INTERFACE.md). */
export function bundleCommand(deps: BundleCommandDeps = {}): Command {
  return addSettings(new Command('bundle'), DATABASE_SETTINGS)
    .description('print the time-aligned multimodal bundle (a FHIR Parameters resource) for one patient at one moment')
    .requiredOption('--patient <SYSTEM|VALUE>', 'the patient: an identifier SYSTEM|VALUE, or a Patient id')
    .requiredOption('--at <TIME>', 'index time, an ISO date-time with a zone (e.g. 2024-03-10T12:00:00Z)')
    .option('--as-of <TIME>', 'what was known at this time (default: the index time)')
    .option('--spec <NAME>', 'fusion spec in profiles/fusion (default: default)')
    .action(async (opts: Record<string, unknown> & { patient: string; at: string; asOf?: string; spec?: string }) => {
      const config = configFrom(opts);
      const specs = loadSpecRegistry(deps.specsDir ?? defaultSpecsDir());
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const out = await runBundle(database.db, specs, deps, { patient: opts.patient, at: opts.at, ...(opts.asOf ? { asOf: opts.asOf } : {}), ...(opts.spec ? { spec: opts.spec } : {}) });
        (deps.write ?? ((t: string) => process.stdout.write(t)))(`${JSON.stringify(out, null, 2)}\n`);
      } catch (err) {
        // Parameter problems read as a CLI error line, not a stack trace.
        if (err instanceof OperationOutcomeError) throw new ConfigError(outcomeToLine(err.outcome));
        throw err;
      } finally {
        await database.close();
      }
    });
}
