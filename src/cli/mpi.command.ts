import fs from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { ConfigError } from '../config/load-config.js';
import { openDatabase, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { TRAINING_RULES } from '../identity/blocking.js';
import { explainPair } from '../identity/explain.js';
import { defaultProfileDir, loadIdentityDeps, type IdentityDeps } from '../identity/identity-deps.js';
import { exportLinks, linksToCsv, reviewQueue } from '../identity/index-queries.js';
import { link, mergeSources, unlink } from '../identity/merge.js';
import type { Person } from '../identity/person.js';
import { trainModel } from '../identity/train.js';
import { addSettings, configFrom, DATABASE_SETTINGS } from './options.js';

type Opts = Record<string, unknown> & { profiles?: string; model?: string };

/** Open the configured database, migrate, run, close: each subcommand is one short session. */
async function withIndex(opts: Opts, run: (db: Db, deps: IdentityDeps) => Promise<void>): Promise<void> {
  const config = configFrom(opts);
  const deps = loadIdentityDeps(opts.profiles ?? defaultProfileDir(), opts.model ? { modelFile: opts.model } : {});
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
    await run(database.db, deps);
  } finally {
    await database.close();
  }
}

function sub(name: string, description: string): Command {
  return addSettings(new Command(name), DATABASE_SETTINGS)
    .description(description)
    .option('--profiles <dir>', 'identity profile folder (match model, nicknames, placeholders, survivorship)')
    .option('--model <file>', 'match model file (default <profiles>/match-model.json)');
}

const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);

/** `sinew mpi …`: identity stewardship from the command line (INTERFACE.md). */
export function mpiCommand(): Command {
  const mpi = new Command('mpi').description('master patient index: links export, review queue, explanations, manual link/unlink/merge, training');

  mpi.addCommand(
    sub('links', 'export every source identifier with its golden record, link state and score')
      .option('--format <format>', 'csv or json', 'csv')
      .option('--include-no-match', 'add a row per do-not-match link')
      .action((opts: Opts & { format: string; includeNoMatch?: boolean }) => {
        if (opts.format !== 'csv' && opts.format !== 'json') throw new ConfigError(`invalid --format "${opts.format}": expected csv or json`);
        return withIndex(opts, async (db) => {
          const rows = await exportLinks(db, { includeNoMatch: Boolean(opts.includeNoMatch) });
          out(opts.format === 'csv' ? linksToCsv(rows) : JSON.stringify(rows, null, 1));
        });
      }),
  );
  mpi.addCommand(
    sub('review', 'list the review queue (POSSIBLE_MATCH and POSSIBLE_DUPLICATE) as JSON lines')
      .option('--count <n>', 'at most this many items', '100')
      .action((opts: Opts & { count: string }) =>
        withIndex(opts, async (db) => {
          for (const item of await reviewQueue(db, Number(opts.count))) out(JSON.stringify(item));
        }),
      ),
  );
  mpi.addCommand(
    sub('explain', 'explain the score of two source records, or of a source against a golden record')
      .argument('<a>')
      .argument('<b>')
      .action((a: string, b: string, opts: Opts) =>
        withIndex(opts, async (db, deps) => {
          out(JSON.stringify(await explainPair(db, a, b, deps), null, 1));
        }),
      ),
  );
  mpi.addCommand(
    sub('link', 'link a source record to a golden record (MATCH, MANUAL: the machine never undoes it)')
      .argument('<source>')
      .argument('<golden>')
      .requiredOption('--by <who>', 'who decided (kept in the link history)')
      .action((source: string, golden: string, opts: Opts & { by: string }) =>
        withIndex(opts, async (db, deps) => {
          await link(db, source, golden, opts.by, deps);
          out(`linked ${source} to ${golden} (MATCH, MANUAL)`);
        }),
      ),
  );
  mpi.addCommand(
    sub('unlink', 'unlink a source from a golden record: NO_MATCH, do-not-match, a new golden record')
      .argument('<source>')
      .argument('<golden>')
      .requiredOption('--by <who>', 'who decided')
      .action((source: string, golden: string, opts: Opts & { by: string }) =>
        withIndex(opts, async (db, deps) => {
          const { newGoldenId } = await unlink(db, source, golden, opts.by, deps);
          out(`unlinked ${source} from ${golden}; new golden ${newGoldenId}`);
        }),
      ),
  );
  mpi.addCommand(
    sub('merge', "merge the golden record of <from> into <into>'s (reversible: POST /admin/identity/unmerge/<id>)")
      .argument('<from>')
      .argument('<into>')
      .requiredOption('--by <who>', 'who asked')
      .action((from: string, into: string, opts: Opts & { by: string }) =>
        withIndex(opts, async (db, deps) => {
          const r = await mergeSources(db, { from, into, by: opts.by, at: new Date() }, deps);
          out(`merged ${r.fromGolden} into ${r.intoGolden} (${r.moved.length} source(s)); merge id ${r.mergeId}`);
        }),
      ),
  );
  mpi.addCommand(
    sub('train', "estimate m and u from the index's own sources and write a model file to review")
      .requiredOption('--out <file>', 'where to write the trained model (never over the active model)')
      .option('--force', 'overwrite --out if it exists')
      .option('--random-pairs <n>', 'random pairs for u', '1000000')
      .option('--seed <n>', 'random seed', '42')
      .action((opts: Opts & { out: string; force?: boolean; randomPairs: string; seed: string }) => {
        const target = path.resolve(opts.out);
        const active = path.resolve(opts.model ?? path.join(opts.profiles ?? defaultProfileDir(), 'match-model.json'));
        if (target === active) throw new ConfigError(`--out ${opts.out} is the active model: write elsewhere and review the difference first`);
        if (fs.existsSync(target) && !opts.force) throw new ConfigError(`--out ${opts.out} exists (use --force to overwrite)`);
        return withIndex(opts, async (db, deps) => {
          const rows = await db.selectFrom('mpi_source').select('person').orderBy('id').execute();
          if (rows.length < 2) throw new ConfigError('the index holds fewer than two source records: nothing to train on');
          const persons = rows.map((r) => r.person as unknown as Person);
          const model = trainModel(persons, { blockingRules: TRAINING_RULES, randomPairs: Number(opts.randomPairs), seed: Number(opts.seed), maxIterations: 50 }, deps.model);
          fs.writeFileSync(target, `${JSON.stringify(model, null, 2)}\n`);
          out(`trained ${model.version} on ${persons.length} source records (λ ${model.prior.toExponential(2)}); wrote ${opts.out}`);
        });
      }),
  );
  return mpi;
}
