import express, { Router, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import { ADMIN_SCOPE, canIngestHl7v2 } from '../auth/scopes.js';
import type { KeyPair } from '../auth/signing-key.js';
import { jwks, smartConfiguration } from '../auth/smart-configuration.js';
import type { Config } from '../config/config.schema.js';
import type { Db } from '../db/database.js';
import type { Classifier } from '../ingest/classify.js';
import type { Intake } from '../ingest/intake.js';
import type { MessageWorker } from '../ingest/message-worker.js';
import { adminRouter } from './admin.router.js';
import { authenticate, requireAdmin, requireScope } from './auth-middleware.js';
import { healthRouter } from './health.router.js';
import { hl7v2Router } from './hl7v2.router.js';
import type { SinewMetrics } from './metrics.js';
import { notFoundHandler, outcomeErrorHandler } from './outcome-middleware.js';

export interface HttpAppDeps {
  db: Db;
  config: Config;
  intake: Intake;
  worker: MessageWorker;
  classifier: Classifier;
  signingKey: KeyPair;
  metrics: SinewMetrics;
  logger: Logger;
  /**
   * The FHIR R4 API, mounted at `/fhir`. Every route behind a bearer token except `GET /metadata`;
   * per-type scope checks are the router's own (`claimsOf(res)` + `hasScope`).
   */
  fhirRouter?: Router;
  /** More routers under `/admin` (identity stewardship, monitoring), behind the same admin scope. */
  adminRouters?: Router[];
  /** Largest `POST /hl7v2` body; default the MLLP maximum message size. */
  maxHl7Bytes?: number;
}

/** The HTTP surface of Sinew (INTERFACE.md "HTTP"): wiring only, each route lives in its router. */
export function createHttpApp(deps: HttpAppDeps): express.Application {
  const app = express();
  app.disable('x-powered-by');
  const auth = { key: deps.signingKey, enabled: deps.config.auth === 'on' };
  const bearer = authenticate(auth);

  app.use(requestLog(deps.logger));
  app.use(healthRouter({ db: deps.db, authEnabled: auth.enabled }));

  app.get('/metrics', async (_req, res) => {
    const { contentType, body } = await deps.metrics.render();
    res.type(contentType).send(body);
  });

  app.get('/.well-known/smart-configuration', (req, res) => {
    res.json(smartConfiguration(`${req.protocol}://${req.get('host')}`));
  });
  app.get('/.well-known/jwks.json', (_req, res) => {
    res.json(jwks(deps.signingKey));
  });

  app.use(
    '/hl7v2',
    bearer,
    requireScope(auth, canIngestHl7v2, `system/*.c or ${ADMIN_SCOPE}`),
    hl7v2Router({ intake: deps.intake, maxBytes: deps.maxHl7Bytes ?? deps.config.mllpMaxMessageBytes }),
  );
  app.use(
    '/admin',
    bearer,
    requireAdmin(auth, ADMIN_SCOPE),
    express.json({ limit: '1mb' }),
    adminRouter({ db: deps.db, worker: deps.worker, classifier: deps.classifier }),
    ...(deps.adminRouters ?? []),
  );

  if (deps.fhirRouter) {
    // The CapabilityStatement is public (SMART apps read it before they have a token).
    const fhirAuth: RequestHandler = (req, res, next) => (req.method === 'GET' && req.path === '/metadata' ? next() : bearer(req, res, next));
    app.use('/fhir', fhirAuth, deps.fhirRouter);
  }

  app.use(notFoundHandler);
  app.use(
    outcomeErrorHandler((err, status) => {
      // The error message and stack go to the log only; the caller gets a generic OperationOutcome.
      deps.logger.error({ err, status }, 'http request failed');
    }),
  );
  return app;
}

/** One JSON line per request: method, path without its query string, status, ms. Never bodies. */
function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const path = (req.originalUrl.split('?')[0] ?? '').slice(0, 200);
      logger.info({ method: req.method, path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http request');
    });
    next();
  };
}
