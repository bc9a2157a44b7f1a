import { Command, Option } from 'commander';
import { createCore } from '../app.js';
import { loadBackendRegistry } from '../backends/registry.js';
import { loadConfig, ConfigError } from '../config/load-config.js';
import { assessFor, type AssessDeps } from '../fusion/assess.service.js';
import { loadSpecRegistry } from '../fusion/spec.js';
import { goldenOf } from '../identity/history.js';
import { isCurrent } from '../identity/link-store.js';
import { createLogger } from '../logger.js';
import { authoritySystem } from '../normalize/transforms/cx-to-identifier.js';
import { DEFAULT_START, simulateHospital } from '../simulate/index.js';
import type { Db } from '../db/database.js';
import { candidateMoments, chooseMoment, type Moment } from './demo/choose-moment.js';
import { demoReport } from './demo/demo-report.js';
import { replayFeed } from './demo/replay-feed.js';
import { patientRecordsResolver } from '../identity/patient-records.js';
import { parseIdentifier, sourceForIdentifier } from './patient-lookup.js';
import { fusionSpecsDir, modelsDir } from './profile-dirs.js';

const MODEL = 'stacker-default';

function wholeNumber(flag: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`invalid ${flag} "${value}": expected a whole number from ${min} to ${max}`);
    return n;
  };
}

const byKey = (rows: { k: string; n: string | number }[]): Record<string, number> => Object.fromEntries(rows.map((r) => [r.k, Number(r.n)]));

async function timelineSummary(db: Db): Promise<Record<string, number>> {
  return byKey(await db.selectFrom('timeline_event').select(['modality as k', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('modality').execute());
}

async function identitySummary(db: Db) {
  const sources = await db.selectFrom('mpi_source').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const goldens = await db.selectFrom('mpi_link').where(isCurrent).where('state', '=', 'MATCH').select((eb) => eb.fn.count<string>('golden_id').distinct().as('n')).executeTakeFirstOrThrow();
  return { sources: Number(sources.n), goldens: Number(goldens.n), states: byKey(await db.selectFrom('mpi_link').where(isCurrent).select(['state as k', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute()) };
}

/**
 * `sinew demo`: the whole journey on an in-memory database: simulate a small hospital, replay its
 * feed through the real intake and worker (normalize, identity, timeline), then for one patient at
 * one moment, chosen by a printed rule, the aligned bundle and the stacker's assessment.
 */
export function demoCommand(): Command {
  return new Command('demo')
    .description('simulate a small hospital, ingest it on an in-memory database, and print one aligned bundle and its model assessment')
    .addOption(new Option('--patients <n>', 'number of simulated people').default(5).argParser(wholeNumber('--patients', 1, 200)))
    .addOption(new Option('--days <n>', 'days of hospital activity').default(2).argParser(wholeNumber('--days', 1, 30)))
    .addOption(new Option('--seed <n>', 'random seed: the same seed tells the same story').default(1).argParser(wholeNumber('--seed', 0, 2 ** 31 - 1)))
    .action(async (opts: { patients: number; days: number; seed: number }) => {
      const { messages, truth } = simulateHospital({ patients: opts.patients, days: opts.days, seed: opts.seed, start: DEFAULT_START });
      // The demo never touches a configured database: no environment, in memory, quiet logs.
      const core = await createCore(loadConfig({}, { dataDir: 'memory', logLevel: 'warn' }), createLogger('warn'));
      try {
        const db = core.database.db;
        const started = process.hrtime.bigint();
        const counts = await replayFeed(core, messages);
        const ingestSeconds = Number(process.hrtime.bigint() - started) / 1e9;

        const specs = loadSpecRegistry(fusionSpecsDir());
        const backends = loadBackendRegistry(modelsDir());
        // The replay squeezes days into seconds, so the index recorded every link just now; links
        // still count only from when the sender created the record (valid time = send time).
        const deps: AssessDeps = { db, specs, backends, now: () => new Date(), resolvePatientRecords: patientRecordsResolver(db, () => new Date()) };
        const sourceOf = async (m: Moment) => {
          const id = parseIdentifier(m.identifier);
          return id ? sourceForIdentifier(db, id.system, id.value) : m.identifier;
        };
        const candidates = candidateMoments(truth, (authority) => authoritySystem(authority, '', '') ?? authority);
        const chosen = await chooseMoment(candidates, async (m) => {
          const result = await assessFor(deps, { patientId: await sourceOf(m), model: MODEL, indexTime: m.indexTime }).catch(() => undefined);
          return result && { ...result, modelInputsPresent: result.assessment.attribution.filter((a) => a.present).length };
        });
        if (!chosen) throw new ConfigError(`no patient with a laboratory sample in this simulation (seed ${opts.seed}, ${opts.patients} patients); try more --patients`);
        const assessment = chosen.result;
        const patientId = await sourceOf(chosen.moment);
        const types: Record<string, number> = {};
        for (const m of messages) types[m.type] = (types[m.type] ?? 0) + 1;
        process.stdout.write(
          demoReport({
            seed: opts.seed,
            patients: opts.patients,
            days: opts.days,
            start: DEFAULT_START,
            messages: messages.length,
            messageTypes: types,
            counts,
            ingestSeconds,
            identity: await identitySummary(db),
            timeline: await timelineSummary(db),
            candidates: candidates.length,
            moment: chosen.moment,
            patientSources: await deps.resolvePatientRecords(patientId, new Date(assessment.bundle.asOf)),
            golden: await goldenOf(db, patientId),
            bundle: assessment.bundle,
            assessment,
            model: MODEL,
          }),
        );
      } finally {
        await core.database.close();
      }
    });
}
