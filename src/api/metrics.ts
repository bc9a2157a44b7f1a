import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/database.js';
import { registerFusionMetrics, type FusionMetricsDeps } from '../fusion/monitoring.js';
import type { Hl7MessageRow } from '../db/tables/hl7-message.table.js';
import type { IntakeObserver, IntakeOutcome } from '../ingest/intake.js';
import type { MessageWorker, ProcessResult } from '../ingest/message-worker.js';

/**
 * Prometheus metrics of one Sinew process. Each app owns its own `Registry` (never prom-client's
 * global one), so two apps in one process, as in tests, do not collide.
 */
export interface SinewMetrics {
  readonly registry: Registry;
  /** Pass to `createIntake({ observer })`: counts stored messages and their store+ACK latency. */
  readonly intakeObserver: IntakeObserver;
  /** Listener for MessageWorker's `processed` event. */
  onProcessed(result: ProcessResult, row: Pick<Hl7MessageRow, 'message_type'>): void;
  /** Subscribe `onProcessed` to a worker; returns the unsubscribe. */
  attachWorker(worker: Pick<MessageWorker, 'on' | 'off'>): () => void;
  /** Prometheus text exposition. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** Where `sinew_queue_depth` counts pending messages; without it the gauge stays 0. */
  db?: Db;
  /** The count query is abandoned after this long (the last value stays); default 250 ms. */
  queueQueryTimeoutMs?: number;
  /** Default process metrics (CPU, memory, event loop); default true. */
  processMetrics?: boolean;
  /**
   * Per-modality presence, staleness and drift gauges (from bundle_log and the timeline), on by
   * default when `db` is given; `false` leaves them out. See src/fusion/monitoring.ts.
   */
  fusion?: Omit<FusionMetricsDeps, 'db' | 'now'> & { now?: () => Date } | false;
}

/** Message types are a small closed-ish set, but never let a garbage MSH-9 grow label cardinality. */
function typeLabel(type: string | null | undefined): string {
  return type && /^[A-Z0-9]{3}\^[A-Z0-9]{2,3}$/.test(type) ? type : 'unknown';
}

export function createMetrics(opts: MetricsOptions = {}): SinewMetrics {
  const registry = new Registry();
  if (opts.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  const messages = new Counter({
    name: 'sinew_messages_total',
    help: 'HL7v2 messages stored, by message type and outcome (accepted, duplicate, error, rejected)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const ingestSeconds = new Histogram({
    name: 'sinew_ingest_seconds',
    help: 'Time from receipt to durable store and ACK ready, per message',
    buckets: [0.0005, 0.001, 0.002, 0.003, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const processed = new Counter({
    name: 'sinew_process_total',
    help: 'Stored messages processed after the ACK, by message type and outcome (ok, failed)',
    labelNames: ['type', 'outcome'] as const,
    registers: [registry],
  });
  const warnings = new Counter({
    name: 'sinew_intake_warnings_total',
    help: 'Charset and batch remarks raised while classifying received messages',
    registers: [registry],
  });
  const timeoutMs = opts.queueQueryTimeoutMs ?? 250;
  new Gauge({
    name: 'sinew_queue_depth',
    help: 'Stored messages waiting to be processed',
    registers: [registry],
    async collect() {
      if (!opts.db) return;
      // A scrape must not hang on a busy database: keep the previous value when the count is slow.
      const depth = await withTimeout(countPending(opts.db), timeoutMs).catch(() => undefined);
      if (depth !== undefined) this.set(depth);
    },
  });

  if (opts.db && opts.fusion !== false) registerFusionMetrics(registry, { now: () => new Date(), ...(opts.fusion ?? {}), db: opts.db });

  const onProcessed = (result: ProcessResult, row: Pick<Hl7MessageRow, 'message_type'>) => {
    processed.inc({ type: typeLabel(row.message_type), outcome: result.ok ? 'ok' : 'failed' });
  };

  return {
    registry,
    intakeObserver: {
      stored(outcome: IntakeOutcome, messageType: string | null, seconds: number) {
        messages.inc({ type: typeLabel(messageType), outcome: outcome.status });
        ingestSeconds.observe(seconds);
      },
      warning() {
        warnings.inc();
      },
    },
    onProcessed,
    attachWorker(worker) {
      worker.on('processed', onProcessed);
      return () => void worker.off('processed', onProcessed);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

async function countPending(db: Db): Promise<number> {
  const row = await db
    .selectFrom('hl7_message')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('process_state', '=', 'pending')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms);
    timer.unref();
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/** Several observers as one: the app logs warnings and counts them too. */
export function combineObservers(...observers: (IntakeObserver | undefined)[]): IntakeObserver {
  const all = observers.filter((o): o is IntakeObserver => o !== undefined);
  return {
    stored: (outcome, type, seconds) => all.forEach((o) => o.stored(outcome, type, seconds)),
    warning: (text) => all.forEach((o) => o.warning(text)),
  };
}
