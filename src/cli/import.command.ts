import fs from 'node:fs';
import { Command } from 'commander';
import { createCore } from '../app.js';
import { loadOrCreateSigningKey, signingKeyStoreFor } from '../auth/signing-key.js';
import { mintToken } from '../auth/tokens.js';
import { ConfigError } from '../config/load-config.js';
import { OperationOutcomeError, outcomeToLine } from '../fhir/outcomes.js';
import { detectFileKindOfPath, type FileKind } from '../ingest/files/file-kind.js';
import { readHl7Messages } from '../ingest/files/hl7-file-reader.js';
import { countBytes, createProgress, formatSummary, type ImportCounts, type ProgressReporter } from '../ingest/files/progress.js';
import { createLogger } from '../logger.js';
import { readFhirUnits } from './import/fhir-file-units.js';
import { localFhirSink, remoteFhirSink, type FhirSink, type ProblemReporter } from './import/fhir-sink.js';
import { emptyCounts, type ImportSink } from './import/import-sink.js';
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
    .description(
      'ingest HL7v2 files (single, concatenated, FHS/BHS batches; CR, LF or CRLF), FHIR JSON (a resource or a Bundle) and NDJSON, streamed, as a backfill; prints "accepted N, duplicate N, error N, rejected N"',
    )
    .argument('<files...>', 'files to ingest')
    .action(async (files: string[], opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const kinds = new Map<string, FileKind>();
      for (const file of files) {
        if (!fs.existsSync(file)) throw new ConfigError(`no such file: ${file}`);
        try {
          kinds.set(file, await detectFileKindOfPath(file));
        } catch (err) {
          throw new ConfigError(err instanceof OperationOutcomeError ? outcomeToLine(err.outcome) : (err as Error).message);
        }
      }
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const report: ProblemReporter = (where, result, reason) => logger.warn({ where, result, reason }, `import: ${where}: ${result}: ${reason}`);
      const server = config.databaseUrl ? undefined : findRunningServer(config.dataDir);
      let sink: ImportSink;
      let fhirSink: FhirSink;
      let closeCore = async () => undefined as void;
      if (server) {
        const key = await loadOrCreateSigningKey(signingKeyStoreFor(config));
        const token = await mintToken(key, { ttlSeconds: 24 * 3600 });
        sink = remoteSink(server.http, token);
        fhirSink = remoteFhirSink(server.http, token, { kind: 'fhir-file' }, report);
      } else {
        const core = await createCore(config, logger);
        sink = localSink(core);
        fhirSink = localFhirSink(core, { kind: 'fhir-file' }, report);
        closeCore = () => core.database.close();
      }
      try {
        const total = files.reduce((n, f) => n + fs.statSync(f).size, 0);
        const progress = createProgress({ totalBytes: total });
        const unreadable = emptyCounts();
        for (const file of files) {
          const stream = countBytes(fs.createReadStream(file, { highWaterMark: 1 << 16 }), (n) => progress.addBytes(n));
          const kind = kinds.get(file) as FileKind;
          if (kind !== 'hl7v2') {
            await importFhirFile(file, kind, stream, { sink: fhirSink, unreadable, progress, report });
            continue;
          }
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
        const counts = addCounts(await sink.finish(), fhirSink.counts(), unreadable);
        process.stdout.write(`${formatSummary(counts)}\n`);
        if (counts.error > 0 || counts.rejected > 0) process.exitCode = 1;
      } finally {
        await closeCore();
      }
    });
}

/** A FHIR JSON or NDJSON file through the FHIR sink; what cannot be read is rejected where it is. */
async function importFhirFile(
  file: string,
  kind: 'fhir-json' | 'ndjson',
  stream: AsyncIterable<Uint8Array>,
  out: { sink: FhirSink; unreadable: ImportCounts; progress: ProgressReporter; report: ProblemReporter },
): Promise<void> {
  for await (const unit of readFhirUnits(file, kind, stream)) {
    if (unit.kind === 'unreadable') {
      out.report(unit.label, 'rejected', unit.reason);
      out.unreadable.rejected++;
      continue;
    }
    await out.sink.send(unit.bundle, unit.labels);
    out.progress.addMessages(unit.labels.length);
  }
}

function addCounts(...all: ImportCounts[]): ImportCounts {
  return all.reduce((a, b) => ({ accepted: a.accepted + b.accepted, duplicate: a.duplicate + b.duplicate, error: a.error + b.error, rejected: a.rejected + b.rejected }), emptyCounts());
}
