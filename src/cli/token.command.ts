import { Command } from 'commander';
import { loadOrCreateSigningKey, signingKeyStoreFor } from '../auth/signing-key.js';
import { mintToken, parseTtl } from '../auth/tokens.js';
import { ConfigError } from '../config/load-config.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { addSettings, configFrom } from './options.js';

/**
 * Prints a signed access token. On embedded PGlite the key is a file in the data folder, so this
 * works while `serve` holds the database; on PostgreSQL the key is in the database every process reaches.
 */
export function tokenCommand(): Command {
  return addSettings(new Command('token'), ['databaseUrl', 'dataDir', 'logLevel'])
    .description('print a signed access token (no --scope: a local administrator token for every route, /admin included)')
    .option('--scope <scopes>', 'SMART v2 scopes, e.g. "system/*.rs" or "patient/Observation.rs"')
    .option('--patient <id>', 'patient context for patient/ scopes')
    .option('--ttl <duration>', 'lifetime: 3600, 30m, 1h, 7d', '1h')
    .action(async (opts: { scope?: string; patient?: string; ttl: string } & Record<string, unknown>) => {
      const config = configFrom(opts);
      let ttlSeconds: number;
      try {
        ttlSeconds = parseTtl(opts.ttl);
      } catch {
        throw new ConfigError(`invalid --ttl "${opts.ttl}": expected seconds or a duration such as 30m, 1h, 7d`);
      }
      if (!config.databaseUrl && config.dataDir === 'memory') {
        throw new ConfigError('token needs a database the server shares: --data-dir memory lives only inside one process');
      }
      const database = config.databaseUrl ? await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }) : undefined;
      try {
        if (database) await migrateToLatest(database.db);
        const key = await loadOrCreateSigningKey(signingKeyStoreFor(config, database?.db));
        const token = await mintToken(key, { scope: opts.scope, patient: opts.patient, ttlSeconds });
        process.stdout.write(`${token}\n`);
      } catch (err) {
        if (err instanceof Error && /scope/i.test(err.message)) throw new ConfigError(`invalid --scope "${opts.scope}": ${err.message}`);
        throw err;
      } finally {
        await database?.close();
      }
    });
}
