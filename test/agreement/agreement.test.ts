import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { compareBundles } from '../../bench/agreement-compare.js';
import { compareCorpus } from '../../bench/agreement-corpus.js';
import { classifyCorpus, committedTheirsBetter, totalsOf } from '../../bench/agreement-report.js';
import { REPO_ROOT } from '../support/paths.js';

/**
 * The agreement report's contract (docs/agreement-report.md, `npm run report:agreement`): every
 * difference from Microsoft's and ReportStream's expected FHIR is classified by a reviewed rule,
 * and the "theirs better" count never grows past the committed report's.
 */
describe('agreement with other converters (corpus)', () => {
  it('classifies every difference and keeps "theirs better" at or below the committed report', () => {
    const results = classifyCorpus(REPO_ROOT, compareCorpus(REPO_ROOT));
    expect(results.length).toBeGreaterThanOrEqual(185);
    const unclassified = results.flatMap(({ message, diffs }) =>
      diffs.filter((d) => d.verdict === 'unclassified').map((d) => `${message.converter} ${message.name}: ${d.kind} ${d.path}`));
    expect(unclassified).toEqual([]);
    const committed = committedTheirsBetter(readFileSync(path.join(REPO_ROOT, 'docs/agreement-report.md'), 'utf8'));
    expect(committed).toBeDefined();
    const now = totalsOf(results.flatMap((r) => r.diffs))['theirs better'];
    // A mapping fix lowers it; regenerate the report to lock the gain in.
    expect(now).toBeLessThanOrEqual(committed!);
  }, 180_000);
});

describe('compareBundles (bench/agreement-compare.ts)', () => {
  const bundle = (...resources: object[]): Bundle => ({
    resourceType: 'Bundle', type: 'transaction', entry: resources.map((resource, i) => ({ fullUrl: `urn:uuid:${i}`, resource })) as Bundle['entry'],
  });
  const patient = (id: string, family = 'DOE') => ({ resourceType: 'Patient', id, identifier: [{ value: 'MRN1' }, { value: 'X' }], name: [{ family }] });
  const obs = (id: string, subject: string, at: string) => ({
    resourceType: 'Observation', id, status: 'final', code: { text: 'Hgb' }, subject: { reference: subject }, effectiveDateTime: at,
  });

  it('ignores ids, entry and repetition order, urn:uuid vs Type/id references and the offset an instant is written in', () => {
    const ours = bundle(patient('p1'), obs('o1', 'Patient/p1', '2024-01-05T12:30:00+01:00'));
    const theirs = bundle(obs('x9', 'urn:uuid:1', '2024-01-05T11:30:00Z'), { ...patient('p2'), identifier: [{ value: 'X' }, { value: 'MRN1' }] });
    expect(compareBundles(ours, theirs)).toEqual([]);
  });

  it('reports a changed value, a missing subtree once, and an unpaired resource', () => {
    const ours = bundle(patient('p1', 'DOE'), obs('o1', 'Patient/p1', '2024-01-05T12:30:00Z'));
    const theirs = bundle(
      { ...patient('p1', 'ROE'), telecom: [{ system: 'phone', value: '1' }] },
      obs('o1', 'Patient/p1', '2024-01-05T12:30:00Z'),
      { resourceType: 'Practitioner', id: 'd1', name: [{ family: 'WHO' }] },
    );
    expect(compareBundles(ours, theirs)).toEqual(expect.arrayContaining([
      { path: 'Patient.name.family', kind: 'differs', theirs: ['ROE'], ours: ['DOE'] },
      { path: 'Patient.telecom', kind: 'missing', theirs: ['system: phone', 'value: 1'], ours: [] },
      { path: 'Practitioner', kind: 'missing', theirs: ['name.family=WHO'], ours: [] },
    ]));
    expect(compareBundles(ours, theirs)).toHaveLength(3);
  });

  it('sees a reference to a different resource', () => {
    const two = (ref: string) => bundle(patient('p1'), patient('p2', 'ROE'), obs('o1', ref, '2024-01-05T12:30:00Z'));
    expect(compareBundles(two('Patient/p1'), two('Patient/p2'))).toEqual([
      expect.objectContaining({ path: 'Observation.subject.reference', kind: 'differs' }),
    ]);
  });
});
