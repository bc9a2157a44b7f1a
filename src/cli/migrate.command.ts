import { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { addSettings, configFrom, DATABASE_SETTINGS } from './options.js';

export function migrateCommand(): Command {
  return addSettings(new Command('migrate'), DATABASE_SETTINGS)
    .description('bring the database schema up to date and exit')
    .action(async (opts) => {
      const config = configFrom(opts);
      const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
      try {
        const { results } = await migrateToLatest(database.db);
        const applied = (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
        process.stdout.write(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'schema is up to date\n');
      } finally {
        await database.close();
      }
    });
}
