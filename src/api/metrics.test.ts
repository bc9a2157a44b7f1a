import { describe, expect, it } from '@jest/globals';
import { combineObservers, createMetrics } from './metrics.js';

describe('createMetrics', () => {
  it('gives each app its own registry, default process metrics included', async () => {
    const a = createMetrics();
    const b = createMetrics();
    a.intakeObserver.stored({ id: '1', status: 'accepted', ackCode: 'AA', controlId: 'X', reason: null, duplicateOf: null }, 'ORU^R01', 0.002);
    const [textA, textB] = [(await a.render()).body, (await b.render()).body];
    expect(textA).toContain('sinew_messages_total{type="ORU^R01",outcome="accepted"} 1');
    expect(textB).not.toContain('type="ORU^R01"');
    expect(textA).toContain('process_cpu_user_seconds_total');
    expect(textA).toContain('sinew_ingest_seconds_bucket{le="0.003"} 1');
  });

  it('keeps garbage message types out of the labels', async () => {
    const m = createMetrics({ processMetrics: false });
    m.intakeObserver.stored({ id: '1', status: 'rejected', ackCode: 'AR', controlId: null, reason: null, duplicateOf: null }, 'SMITH^JOHN^1961', 0.001);
    m.onProcessed({ id: '1', ok: false, reason: null }, { message_type: null });
    const text = (await m.render()).body;
    expect(text).toContain('sinew_messages_total{type="unknown",outcome="rejected"} 1');
    expect(text).toContain('sinew_process_total{type="unknown",outcome="failed"} 1');
    expect(text).not.toContain('SMITH');
  });

  it('counts warnings through combined observers', async () => {
    const m = createMetrics({ processMetrics: false });
    const seen: string[] = [];
    combineObservers(m.intakeObserver, { stored: () => undefined, warning: (t) => seen.push(t) }, undefined).warning('charset guessed');
    expect(seen).toEqual(['charset guessed']);
    expect((await m.render()).body).toContain('sinew_intake_warnings_total 1');
  });
});
