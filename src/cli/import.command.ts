import fs from 'node:fs';
import { Command } from 'commander';
import { createCore } from '../app.js';
import { loadOrCreateSigningKey, signingKeyStoreFor } from '../auth/signing-key.js';
import { mintToken } from '../auth/tokens.js';
import { ConfigError } from '../config/load-config.js';
import { detectFileKindOfPath } from '../ingest/files/file-kind.js';
import { readHl7Messages } from '../ingest/files/hl7-file-reader.js';
import { countBytes, createProgress, formatSummary } from '../ingest/files/progress.js';
import { createLogger } from '../logger.js';
import type { ImportSink } from './import/import-sink.js';
import { localSink } from './import/local-sink.js';
import { remoteSink } from './import/remote-sink.js';
import { addSettings, configFrom, DATABASE_SETTINGS } from './options.js';
import { findRunningServer } from './running-server.js';

/**
 * `sinew import FILE…`: files through the same intake as the listeners, streamed, and processed
 * through before it returns. On PGlite held by a running server, it sends to that server instead.
 */
export function importCommand(): Command {
  return addSettings(new Command('import'), DATABASE_SETTINGS)
    .description('ingest HL7v2 files (single, concatenated, FHS/BHS batches; CR, LF or CRLF), streamed; prints "accepted N, duplicate N, error N, rejected N"')
    .argument('<files...>', 'files to ingest')
    .action(async (files: string[], opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      for (const file of files) {
        if (!fs.existsSync(file)) throw new ConfigError(`no such file: ${file}`);
        const kind = await detectFileKindOfPath(file);
        if (kind !== 'hl7v2') throw new ConfigError(`${file}: ${kind} files are not ingested by import yet; only HL7v2 is`);
      }
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const server = config.databaseUrl ? undefined : findRunningServer(config.dataDir);
      let sink: ImportSink;
      let closeCore = async () => undefined as void;
      if (server) {
        const key = await loadOrCreateSigningKey(signingKeyStoreFor(config));
        sink = remoteSink(server.http, await mintToken(key, { ttlSeconds: 24 * 3600 }));
      } else {
        const core = await createCore(config, logger);
        sink = localSink(core);
        closeCore = () => core.database.close();
      }
      try {
        const total = files.reduce((n, f) => n + fs.statSync(f).size, 0);
        const progress = createProgress({ totalBytes: total });
        for (const file of files) {
          const stream = countBytes(fs.createReadStream(file, { highWaterMark: 1 << 16 }), (n) => progress.addBytes(n));
          for await (const item of readHl7Messages(stream)) {
            if (item.kind === 'message') {
              await sink.send(item.bytes);
              progress.addMessages(1);
            } else {
              logger.warn({ file, offset: item.offset, reason: item.reason }, `import: ${item.kind}`);
            }
          }
        }
        progress.stop();
        const counts = await sink.finish();
        process.stdout.write(`${formatSummary(counts)}\n`);
        if (counts.error > 0 || counts.rejected > 0) process.exitCode = 1;
      } finally {
        await closeCore();
      }
    });
}
