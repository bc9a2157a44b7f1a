import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Router } from 'express';
import type { Logger } from 'pino';
import { loadOrCreateSigningKey, signingKeyStoreFor, type KeyPair } from '../auth/signing-key.js';
import type { Config } from '../config/config.schema.js';
import type { Db } from '../db/database.js';
import type { Classifier } from '../ingest/classify.js';
import type { Intake } from '../ingest/intake.js';
import type { MessageWorker } from '../ingest/message-worker.js';
import { createHttpApp } from './http-app.js';
import { createMetrics, type SinewMetrics } from './metrics.js';

/** The slice of the composition root's `Core` the HTTP server needs. */
export interface HttpServerCore {
  config: Config;
  database: { db: Db };
  classifier: Classifier;
  intake: Intake;
  worker: MessageWorker;
  logger: Logger;
  /** Pass the metrics whose `intakeObserver` the intake was built with; else new ones (intake counts then stay 0). */
  metrics?: SinewMetrics;
  signingKey?: KeyPair;
  fhirRouter?: Router;
  adminRouters?: Router[];
}

export interface HttpServer {
  server: http.Server;
  metrics: SinewMetrics;
  signingKey: KeyPair;
  listen(host: string, port: number): Promise<{ host: string; port: number }>;
}

/** Build the app with its signing key (loaded or created once) and metrics, ready to listen. */
export async function createHttpServer(core: HttpServerCore): Promise<HttpServer> {
  const signingKey = core.signingKey ?? (await loadOrCreateSigningKey(signingKeyStoreFor(core.config, core.database.db)));
  const metrics = core.metrics ?? createMetrics({ db: core.database.db });
  metrics.attachWorker(core.worker);
  const app = createHttpApp({
    db: core.database.db,
    config: core.config,
    intake: core.intake,
    worker: core.worker,
    classifier: core.classifier,
    signingKey,
    metrics,
    logger: core.logger,
    ...(core.fhirRouter ? { fhirRouter: core.fhirRouter } : {}),
    ...(core.adminRouters ? { adminRouters: core.adminRouters } : {}),
  });
  const server = http.createServer(app);
  return {
    server,
    metrics,
    signingKey,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const addr = server.address() as AddressInfo;
          resolve({ host, port: addr.port });
        });
      });
    },
  };
}
