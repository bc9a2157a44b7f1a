import { Command, CommanderError } from 'commander';
import { migrateCommand } from './cli/migrate.command.js';
import { serveCommand } from './cli/serve.command.js';
import { simulateCommand } from './cli/simulate.command.js';
import { tokenCommand } from './cli/token.command.js';
import { importCommand } from './cli/import.command.js';
import { mpiCommand } from './cli/mpi.command.js';
import { bundleCommand } from './cli/bundle.command.js';
import { demoCommand } from './cli/demo.command.js';
import { convertCommand } from './cli/convert.command.js';
import { pullCommand } from './cli/pull.command.js';
import { ConfigError } from './config/load-config.js';
import { DataDirInUseError } from './db/data-dir-lock.js';

/** Process entry: build the command line and run it; errors a user can fix print as one line. */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('sinew')
    .description('Sinew: HL7v2/FHIR ingest, normalization, identity, timeline and time-aligned bundles for clinical AI')
    .showHelpAfterError()
    .exitOverride();
  for (const command of [serveCommand(), migrateCommand(), importCommand(), tokenCommand(), simulateCommand(), mpiCommand(), bundleCommand(), convertCommand(), demoCommand(), pullCommand()]) program.addCommand(command.exitOverride());
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    if (err instanceof ConfigError || err instanceof DataDirInUseError) {
      process.stderr.write(`sinew: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}
