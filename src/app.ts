import fs from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';
import { combineObservers, createMetrics, type SinewMetrics } from './api/metrics.js';
import { createHttpServer } from './api/http-server.js';
import { createAdminSurface } from './api/admin-surface.js';
import { createFhirSurface } from './api/fhir-surface.js';
import { createFhirPullRouter } from './api/pull/fhir-pull.router.js';
import type { Config } from './config/config.schema.js';
import { openDatabase, type Database } from './db/database.js';
import { migrateToLatest } from './db/migrator.js';
import { createClassifier, type Classifier } from './ingest/classify.js';
import { HandlerRegistry } from './ingest/handler-registry.js';
import { createIntake, type Intake } from './ingest/intake.js';
import { saveMessages } from './ingest/message-store.repository.js';
import { MessageWorker } from './ingest/message-worker.js';
import { createMllpServer, type MllpServer } from './ingest/mllp/mllp-server.js';
import { structureOnlyHandler } from './ingest/structure-handler.js';
import type { Logger } from './logger.js';
import { loadIdentityDeps, defaultProfileDir } from './identity/identity-deps.js';
import { loadMappings } from './normalize/index.js';
import { hl7v2PipelineHandler } from './pipeline/hl7v2-pipeline.handler.js';
import { createFhirIngest, type FhirIngest } from './pipeline/fhir-ingest.js';
import { createObservers } from './pipeline/observers.js';
import type { ResourceObserver } from './pipeline/resource-observer.js';

export interface Listening {
  mllp?: { host: string; port: number };
  http: { host: string; port: number };
}

/** Everything a running Sinew holds, built in one place (the composition root; no globals). */
export interface Core {
  config: Config;
  database: Database;
  handlers: HandlerRegistry;
  classifier: Classifier;
  intake: Intake;
  worker: MessageWorker;
  metrics: SinewMetrics;
  logger: Logger;
  /** What runs after every stored resource, for HL7v2 and FHIR alike (src/pipeline/observers.ts). */
  observers: readonly ResourceObserver[];
  /** FHIR resources and Bundles (import, pull) through validation, store and the observers. */
  fhirIngest: FhirIngest;
}

/** Database + processing, without listeners: what `serve`, `import` and tests share. */
export async function createCore(config: Config, logger: Logger): Promise<Core> {
  const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrateToLatest(database.db);
  } catch (err) {
    await database.close();
    throw err;
  }
  // Mapped structures go through normalize → store → identity → timeline; the rest are checked
  // structurally and kept (with their reason, should processing fail) for a mapping and a replay.
  const mappings = loadMappings(path.join(path.dirname(defaultProfileDir()), '..', 'mappings', 'hl7v2'));
  const observers = createObservers({ identity: loadIdentityDeps(), config });
  const handlers = new HandlerRegistry().register(structureOnlyHandler()).register(
    hl7v2PipelineHandler({
      config,
      mappings,
      structures: [...mappings.messages.keys()],
      observers,
    }),
  );
  const classifier = createClassifier((s) => handlers.supports(s));
  const worker = new MessageWorker(database.db, handlers, logger);
  const metrics = createMetrics({ db: database.db });
  const intake = createIntake({
    classifier,
    save: (messages) => saveMessages(database.db, messages),
    onStored: () => worker.notify(),
    observer: combineObservers(metrics.intakeObserver, {
      stored: () => undefined,
      warning: (text) => logger.warn({ warning: text }, 'hl7 intake warning'),
    }),
  });
  const fhirIngest = createFhirIngest({ db: database.db, observers });
  return { config, database, handlers, classifier, intake, worker, metrics, logger, observers, fhirIngest };
}

export interface App {
  core: Core;
  start(): Promise<Listening>;
  /** Stop accepting, let in-flight replies go out, finish the current processing batch, close. */
  stop(): Promise<void>;
}

export async function createApp(config: Config, logger: Logger): Promise<App> {
  const core = await createCore(config, logger);
  let mllp: MllpServer | undefined;
  let http: Server | undefined;
  let discovery: string | undefined;

  return {
    core,
    async start() {
      if (config.worker === 'on') core.worker.start();
      const listening: Listening = { http: { host: config.host, port: 0 } };
      if (config.mllpPort !== 'off') {
        mllp = createMllpServer(
          {
            host: config.host,
            port: config.mllpPort,
            maxFrameBytes: config.mllpMaxMessageBytes,
            idleTimeoutMs: config.mllpIdleTimeout * 1000,
            tls: config.mllpTlsCert && config.mllpTlsKey ? readTls(config) : undefined,
            logger,
          },
          async (frame) => {
            const reply = await core.intake.receive({
              bytes: frame.payload,
              transport: 'mllp',
              peer: frame.peer,
              truncated: frame.truncated,
              totalBytes: frame.totalBytes,
              receivedAt: new Date(),
            });
            return reply.ackBytes;
          },
        );
        listening.mllp = await mllp.listen();
      }
      const server = await createHttpServer({
        ...core,
        fhirRouter: createFhirSurface(core.database.db, { ingest: core.fhirIngest }),
        adminRouters: [...createAdminSurface(core.database.db), createFhirPullRouter({ db: core.database.db, ingest: core.fhirIngest })],
      });
      http = server.server;
      listening.http = await server.listen(config.host, config.httpPort);
      if (!config.databaseUrl && config.dataDir !== 'memory') {
        // Other `sinew` commands find the running server here (PGlite admits one process).
        discovery = path.join(config.dataDir, 'server.json');
        fs.writeFileSync(discovery, JSON.stringify({ pid: process.pid, http: `http://${listening.http.host}:${listening.http.port}` }));
      }
      return listening;
    },
    async stop() {
      await mllp?.close({ drainMs: 5000 });
      await new Promise<void>((resolve) => (http ? http.close(() => resolve()) : resolve()));
      http?.closeAllConnections?.();
      await core.worker.stop();
      await core.database.close();
      if (discovery) fs.rmSync(discovery, { force: true });
    },
  };
}

function readTls(config: Config) {
  return {
    cert: fs.readFileSync(config.mllpTlsCert as string),
    key: fs.readFileSync(config.mllpTlsKey as string),
    ...(config.mllpTlsCa ? { ca: fs.readFileSync(config.mllpTlsCa) } : {}),
  };
}
