import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import express from 'express';
import { Registry } from 'prom-client';
import request from 'supertest';
import { REPO_ROOT } from '../../../test/support/paths.js';
import { createTestDatabase, ENGINES, type TestDatabase } from '../../../test/support/test-database.js';
import { alignedBundleFor } from '../../fusion/aligned-bundle.service.js';
import { psi, registerFusionMetrics } from '../../fusion/monitoring.js';
import { loadSpecRegistry } from '../../fusion/spec.js';
import type { NewTimelineEvent } from '../../timeline/new-timeline-event.js';
import { fact, hoursFromIndex, TEST_INDEX } from '../../timeline/timeline-test-facts.js';
import { appendTimeline } from '../../timeline/timeline.repository.js';
import { outcomeErrorHandler } from '../outcome-middleware.js';
import { createMonitoringRouter } from './monitoring.router.js';

describe('psi', () => {
  it('is 0 for equal shares and grows with the shift', () => {
    const a = new Map([['1', 50], ['2', 50]]);
    expect(psi(a, a)).toBe(0);
    expect(psi(a, new Map([['1', 90], ['2', 10]]))).toBeGreaterThan(0.25);
  });
});

describe.each(ENGINES)('monitoring on %s', (engine) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase(engine);
  });
  afterAll(async () => {
    await t.close();
  });

  it('reports presence, staleness, values and the drift of a source whose values shifted', async () => {
    const rows: NewTimelineEvent[] = [];
    for (let i = 0; i < 60; i++) {
      // Reference week: values around 100; current day: the "upgraded" source reads 30 % higher.
      rows.push({ ...fact({ resourceId: `r${i}`, clinical: -100 - i, available: -100 - i, value: 90 + (i % 20) }), source: { kind: 'hl7v2', system: 'SCANNER-A' } });
      rows.push({ ...fact({ resourceId: `c${i}`, clinical: -i / 4, available: -i / 4, value: 120 + (i % 20) }), source: { kind: 'hl7v2', system: 'SCANNER-A' } });
    }
    await appendTimeline(t.db, rows);
    const specs = loadSpecRegistry(path.join(REPO_ROOT, 'profiles/fusion'));
    const now = () => new Date(TEST_INDEX);
    await alignedBundleFor({ db: t.db, specs, now, logBundles: true, resolvePatientRecords: async () => ['p1'] }, { patientId: 'p1', indexTime: TEST_INDEX });
    const app = express().use('/admin', createMonitoringRouter({ db: t.db, now: () => new Date(hoursFromIndex(1)) })).use(outcomeErrorHandler(() => undefined));
    const r = await request(app).get(`/admin/monitoring?from=${hoursFromIndex(-24)}&to=${hoursFromIndex(1)}&reference-from=${hoursFromIndex(-300)}&reference-to=${hoursFromIndex(-24)}`).expect(200);
    expect(r.body.bundles).toBe(1);
    expect(r.body.modalities.find((m: { name: string }) => m.name === 'labs')).toMatchObject({ presenceRate: 1, statusCounts: { present: 1 } });
    expect(r.body.values.find((v: { source: string }) => v.source === 'SCANNER-A')?.numeric.p50).toBeGreaterThan(120);
    expect(r.body.drift[0]).toMatchObject({ modality: 'labs', source: 'SCANNER-A', kind: 'numeric' });
    expect(r.body.drift[0].psi).toBeGreaterThan(0.25);
    await request(app).get('/admin/monitoring?from=bad').expect(400);
    const registry = new Registry();
    registerFusionMetrics(registry, { db: t.db, now: () => new Date(hoursFromIndex(1)), windowMs: 25 * 3_600_000, referenceMs: 300 * 3_600_000 });
    const text = await registry.metrics();
    expect(text).toContain('sinew_fusion_modality_presence_ratio{modality="labs"} 1');
    expect(text).toMatch(/sinew_fusion_drift_psi\{modality="labs",source="SCANNER-A"\} \d/);
  });
});
