import { sql } from 'kysely';
import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db/database.js';

export interface TimeRange {
  from: Date;
  to: Date;
}

export interface ModalityHealth {
  name: string;
  bundles: number;
  /** Share of bundles in which the modality had items (present or stale). */
  presenceRate: number;
  statusCounts: Record<string, number>;
  /** Age of the newest item, seconds, over bundles that had one. */
  staleness: { p50: number; p90: number; p99: number; max: number } | null;
}

export interface ValueStats {
  modality: string;
  source: string;
  code: string;
  count: number;
  numeric?: { p10: number; p50: number; p90: number; mean: number };
  categories?: { value: string; share: number }[];
}

export interface Drift {
  modality: string;
  source: string;
  code: string;
  kind: 'numeric' | 'categorical';
  /** Population stability index; < 0.1 stable, 0.1–0.25 moderate, > 0.25 major shift (industry rule of thumb). */
  psi: number;
  referenceCount: number;
  currentCount: number;
}

export interface MonitoringReport {
  window: { from: string; to: string };
  reference: { from: string; to: string };
  bundles: number;
  modalities: ModalityHealth[];
  values: ValueStats[];
  drift: Drift[];
}

export interface MonitoringOptions {
  window: TimeRange;
  reference: TimeRange;
  /** Codes with fewer values in either range are not compared. Default 20. */
  minCount?: number;
}

const EPS = 1e-4;

/** PSI = Σ (cᵢ − rᵢ)·ln(cᵢ/rᵢ) over shared bins, shares smoothed so an empty bin is finite. */
export function psi(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): number {
  const keys = new Set([...reference.keys(), ...current.keys()]);
  const rt = [...reference.values()].reduce((a, b) => a + b, 0);
  const ct = [...current.values()].reduce((a, b) => a + b, 0);
  if (rt === 0 || ct === 0) return 0;
  let sum = 0;
  for (const k of keys) {
    const r = Math.max((reference.get(k) ?? 0) / rt, EPS);
    const c = Math.max((current.get(k) ?? 0) / ct, EPS);
    sum += (c - r) * Math.log(c / r);
  }
  return Math.round(sum * 1e4) / 1e4;
}

async function modalityHealth(db: Db, w: TimeRange): Promise<{ bundles: number; modalities: ModalityHealth[] }> {
  const rows = await sql<{ name: string; status: string; n: number; p50: number | null; p90: number | null; p99: number | null; max: number | null }>`
    SELECT m->>'name' AS name, m->>'status' AS status, count(*)::int AS n,
      percentile_cont(0.5) WITHIN GROUP (ORDER BY (m->>'ageSeconds')::float8) AS p50,
      percentile_cont(0.9) WITHIN GROUP (ORDER BY (m->>'ageSeconds')::float8) AS p90,
      percentile_cont(0.99) WITHIN GROUP (ORDER BY (m->>'ageSeconds')::float8) AS p99,
      max((m->>'ageSeconds')::float8) AS max
    FROM bundle_log b CROSS JOIN LATERAL jsonb_array_elements(b.modalities) m
    WHERE b.created_at >= ${w.from.toISOString()}::timestamptz AND b.created_at < ${w.to.toISOString()}::timestamptz
    GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
  const total = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM bundle_log WHERE created_at >= ${w.from.toISOString()}::timestamptz AND created_at < ${w.to.toISOString()}::timestamptz`.execute(db);
  const byName = new Map<string, typeof rows.rows>();
  for (const r of rows.rows) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const modalities = [...byName.entries()].map(([name, rs]) => {
    const bundles = rs.reduce((a, r) => a + r.n, 0);
    const withItems = rs.filter((r) => r.status === 'present' || r.status === 'stale');
    // Per-status percentiles cannot be merged exactly; the worst status group bounds the tail.
    const aged = withItems.filter((r) => r.p50 !== null);
    return {
      name,
      bundles,
      presenceRate: bundles ? withItems.reduce((a, r) => a + r.n, 0) / bundles : 0,
      statusCounts: Object.fromEntries(rs.map((r) => [r.status, r.n])),
      staleness: aged.length
        ? {
            p50: Math.max(...aged.map((r) => Number(r.p50))),
            p90: Math.max(...aged.map((r) => Number(r.p90))),
            p99: Math.max(...aged.map((r) => Number(r.p99))),
            max: Math.max(...aged.map((r) => Number(r.max))),
          }
        : null,
    };
  });
  return { bundles: total.rows[0]?.n ?? 0, modalities };
}

async function valueStats(db: Db, w: TimeRange): Promise<ValueStats[]> {
  const numeric = await sql<{ modality: string; src: string; k: string; n: number; p: number[]; mean: number }>`
    SELECT modality, coalesce(source->>'system', source->>'kind', '') AS src, coalesce(code_system, '') || '|' || coalesce(code, '') AS k,
      count(*)::int AS n, percentile_cont(ARRAY[0.1, 0.5, 0.9]) WITHIN GROUP (ORDER BY value_num) AS p, avg(value_num)::float8 AS mean
    FROM timeline_event
    WHERE available_at >= ${w.from.toISOString()}::timestamptz AND available_at < ${w.to.toISOString()}::timestamptz AND value_num IS NOT NULL
    GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
  const cats = await categoryCounts(db, w);
  const out: ValueStats[] = numeric.rows.map((r) => ({
    modality: r.modality,
    source: r.src,
    code: r.k,
    count: r.n,
    numeric: { p10: Number(r.p[0]), p50: Number(r.p[1]), p90: Number(r.p[2]), mean: Number(r.mean) },
  }));
  for (const [key, counts] of cats) {
    const [modality, source, code] = JSON.parse(key) as [string, string, string];
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const categories = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([value, n]) => ({ value, share: n / total }));
    out.push({ modality, source, code, count: total, categories });
  }
  return out;
}

/** Counts of coded/text values per (modality, source, code): the categorical distributions. */
async function categoryCounts(db: Db, w: TimeRange): Promise<Map<string, Map<string, number>>> {
  const rows = await sql<{ modality: string; src: string; k: string; v: string; n: number }>`
    SELECT modality, coalesce(source->>'system', source->>'kind', '') AS src, coalesce(code_system, '') || '|' || coalesce(code, '') AS k,
      left(value_text, 100) AS v, count(*)::int AS n
    FROM timeline_event
    WHERE available_at >= ${w.from.toISOString()}::timestamptz AND available_at < ${w.to.toISOString()}::timestamptz
      AND value_num IS NULL AND value_text IS NOT NULL
    GROUP BY 1, 2, 3, 4`.execute(db);
  const out = new Map<string, Map<string, number>>();
  for (const r of rows.rows) {
    const key = JSON.stringify([r.modality, r.src, r.k]);
    const m = out.get(key) ?? new Map<string, number>();
    m.set(r.v, r.n);
    out.set(key, m);
  }
  return out;
}

/** Numeric drift: reference deciles as bin edges, then both ranges' counts per bin, in one query. */
async function numericDrift(db: Db, o: MonitoringOptions, minCount: number): Promise<Drift[]> {
  const rows = await sql<{ modality: string; src: string; k: string; side: string; b: number; n: number }>`
    WITH vals AS (
      SELECT modality, coalesce(source->>'system', source->>'kind', '') AS src, coalesce(code_system, '') || '|' || coalesce(code, '') AS k,
        CASE WHEN available_at >= ${o.window.from.toISOString()}::timestamptz AND available_at < ${o.window.to.toISOString()}::timestamptz THEN 'cur' ELSE 'ref' END AS side,
        value_num AS v
      FROM timeline_event
      WHERE value_num IS NOT NULL AND (
        (available_at >= ${o.window.from.toISOString()}::timestamptz AND available_at < ${o.window.to.toISOString()}::timestamptz) OR
        (available_at >= ${o.reference.from.toISOString()}::timestamptz AND available_at < ${o.reference.to.toISOString()}::timestamptz))
    ), edges AS (
      SELECT modality, src, k, percentile_cont(ARRAY[0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) WITHIN GROUP (ORDER BY v) AS e
      FROM vals WHERE side = 'ref' GROUP BY 1, 2, 3 HAVING count(*) >= ${minCount}
    )
    SELECT v.modality, v.src, v.k, v.side, width_bucket(v.v, e.e) AS b, count(*)::int AS n
    FROM vals v JOIN edges e ON e.modality = v.modality AND e.src = v.src AND e.k = v.k
    GROUP BY 1, 2, 3, 4, 5`.execute(db);
  const groups = new Map<string, { ref: Map<string, number>; cur: Map<string, number> }>();
  for (const r of rows.rows) {
    const key = JSON.stringify([r.modality, r.src, r.k]);
    const g = groups.get(key) ?? { ref: new Map(), cur: new Map() };
    (r.side === 'ref' ? g.ref : g.cur).set(String(r.b), r.n);
    groups.set(key, g);
  }
  return toDrift(groups, 'numeric', minCount);
}

function toDrift(groups: Map<string, { ref: Map<string, number>; cur: Map<string, number> }>, kind: Drift['kind'], minCount: number): Drift[] {
  const out: Drift[] = [];
  for (const [key, g] of groups) {
    const [modality, source, code] = JSON.parse(key) as [string, string, string];
    const referenceCount = [...g.ref.values()].reduce((a, b) => a + b, 0);
    const currentCount = [...g.cur.values()].reduce((a, b) => a + b, 0);
    if (referenceCount < minCount || currentCount < minCount) continue;
    out.push({ modality, source, code, kind, psi: psi(g.ref, g.cur), referenceCount, currentCount });
  }
  return out;
}

/**
 * Per-modality monitoring (issue 5 §7): presence and staleness from the logged bundle manifests;
 * value distributions and drift (PSI) per modality, source and code from the timeline, so that a
 * scanner upgrade shows up as one source's imaging values drifting rather than an unexplained dip.
 */
export async function computeMonitoring(db: Db, o: MonitoringOptions): Promise<MonitoringReport> {
  const minCount = o.minCount ?? 20;
  const [health, values, numeric, curCats, refCats] = await Promise.all([
    modalityHealth(db, o.window),
    valueStats(db, o.window),
    numericDrift(db, o, minCount),
    categoryCounts(db, o.window),
    categoryCounts(db, o.reference),
  ]);
  const catGroups = new Map<string, { ref: Map<string, number>; cur: Map<string, number> }>();
  for (const key of new Set([...curCats.keys(), ...refCats.keys()])) catGroups.set(key, { ref: refCats.get(key) ?? new Map(), cur: curCats.get(key) ?? new Map() });
  const drift = [...numeric, ...toDrift(catGroups, 'categorical', minCount)].sort((a, b) => b.psi - a.psi);
  return {
    window: { from: o.window.from.toISOString(), to: o.window.to.toISOString() },
    reference: { from: o.reference.from.toISOString(), to: o.reference.to.toISOString() },
    bundles: health.bundles,
    modalities: health.modalities,
    values,
    drift,
  };
}

export interface FusionMetricsDeps {
  db: Db;
  now: () => Date;
  /** Current window length; default 24 h. The reference is the 7 days before it unless given. */
  windowMs?: number;
  referenceMs?: number;
  /** A computed report is reused this long; default 60 s (the queries scan a day of timeline). */
  cacheMs?: number;
  /** A scrape waits this long for a fresh report, then answers with the previous one; default 2 s. */
  scrapeTimeoutMs?: number;
  /** A failed computation keeps the previous values; this hears about it. */
  onError?: (err: unknown) => void;
}

/** Default ranges: the last `windowMs`, against the `referenceMs` before it. */
export function defaultRanges(now: Date, windowMs = 86_400_000, referenceMs = 7 * 86_400_000): { window: TimeRange; reference: TimeRange } {
  const to = now.getTime();
  return { window: { from: new Date(to - windowMs), to: now }, reference: { from: new Date(to - windowMs - referenceMs), to: new Date(to - windowMs) } };
}

/**
 * The report behind the gauges: recomputed at most every `cacheMs`, in the background of a scrape
 * that waits at most `scrapeTimeoutMs`, so a slow or failing database never hangs or fails /metrics.
 */
function cachedReport(deps: FusionMetricsDeps): () => Promise<MonitoringReport | undefined> {
  const cacheMs = deps.cacheMs ?? 60_000;
  const timeoutMs = deps.scrapeTimeoutMs ?? 2000;
  let last: MonitoringReport | undefined;
  let computedAt = -Infinity;
  let refreshing: Promise<void> | undefined;
  return async () => {
    if (!refreshing && Date.now() - computedAt >= cacheMs) {
      refreshing = computeMonitoring(deps.db, defaultRanges(deps.now(), deps.windowMs, deps.referenceMs))
        .then((r) => {
          last = r;
        })
        .catch((err: unknown) => deps.onError?.(err))
        .finally(() => {
          computedAt = Date.now();
          refreshing = undefined;
        });
    }
    if (refreshing) {
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      });
      await Promise.race([refreshing, waited]).finally(() => clearTimeout(timer));
    }
    return last;
  };
}

/** Prometheus gauges for per-modality presence, staleness and drift, computed at scrape time. */
export function registerFusionMetrics(registry: Registry, deps: FusionMetricsDeps): void {
  const report = cachedReport(deps);
  const presence = new Gauge({ name: 'sinew_fusion_modality_presence_ratio', help: 'Share of aligned bundles in which the modality had items (last window)', labelNames: ['modality'] as const, registers: [registry],
    async collect() {
      const r = await report();
      if (!r) return;
      presence.reset();
      for (const m of r.modalities) presence.set({ modality: m.name }, m.presenceRate);
    },
  });
  const staleness = new Gauge({ name: 'sinew_fusion_modality_staleness_seconds', help: 'Age of the newest item per modality across bundles (last window)', labelNames: ['modality', 'quantile'] as const, registers: [registry],
    async collect() {
      const r = await report();
      if (!r) return;
      staleness.reset();
      for (const m of r.modalities) {
        if (!m.staleness) continue;
        for (const q of ['p50', 'p90', 'p99'] as const) staleness.set({ modality: m.name, quantile: q.slice(1) === '50' ? '0.5' : `0.${q.slice(1)}` }, m.staleness[q]);
      }
    },
  });
  const drift = new Gauge({ name: 'sinew_fusion_drift_psi', help: 'Largest population stability index per modality and source, current vs reference window', labelNames: ['modality', 'source'] as const, registers: [registry],
    async collect() {
      const r = await report();
      if (!r) return;
      drift.reset();
      const worst = new Map<string, number>();
      for (const d of r.drift) {
        const key = JSON.stringify([d.modality, d.source]);
        worst.set(key, Math.max(worst.get(key) ?? 0, d.psi));
      }
      for (const [key, v] of worst) {
        const [modality, source] = JSON.parse(key) as [string, string];
        drift.set({ modality, source }, v);
      }
    },
  });
}
