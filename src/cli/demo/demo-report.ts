import type { AssessResult } from '../../fusion/assess.service.js';
import type { AlignedBundle } from '../../fusion/aligned-bundle.types.js';
import type { ImportCounts } from '../import/import-sink.js';
import type { Moment } from './choose-moment.js';

export interface DemoFacts {
  seed: number;
  patients: number;
  days: number;
  start: string;
  messages: number;
  messageTypes: Record<string, number>;
  counts: ImportCounts;
  ingestSeconds: number;
  identity: { sources: number; goldens: number; states: Record<string, number> };
  timeline: Record<string, number>;
  candidates: number;
  moment: Moment;
  patientSources: string[];
  golden: string | undefined;
  bundle: AlignedBundle;
  assessment: AssessResult;
  model: string;
}

const list = (r: Record<string, number>): string =>
  Object.entries(r)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k} ${n}`)
    .join(', ') || 'none';

function hours(seconds: number): string {
  return `${(seconds / 3600).toFixed(1)} h`;
}

function pad(text: string, width: number): string {
  return text.length >= width ? `${text} ` : text.padEnd(width);
}

/** The aligned bundle as a table: one row per modality with its status, items, ages and why. */
export function bundleTable(bundle: AlignedBundle): string[] {
  const rows = [`  ${pad('modality', 13)}${pad('status', 16)}${pad('items', 7)}${pad('newest age', 12)}${pad('oldest age', 12)}reason`];
  for (const m of bundle.modalities) {
    const ages = m.items.map((i) => i.ageSeconds);
    const newest = ages.length ? hours(Math.min(...ages)) : '-';
    const oldest = ages.length ? hours(Math.max(...ages)) : '-';
    rows.push(`  ${pad(m.name, 13)}${pad(m.required ? `${m.status} (req.)` : m.status, 16)}${pad(String(m.count), 7)}${pad(newest, 12)}${pad(oldest, 12)}${m.reason}`);
  }
  return rows;
}

/** The model's answer with its per-modality attribution (log-odds for the stacker). */
export function assessmentLines(model: string, a: AssessResult): string[] {
  const x = a.assessment;
  const headline = [
    x.probability !== undefined ? `probability ${x.probability.toFixed(3)}` : undefined,
    x.risk ? `risk ${x.risk}` : undefined,
    x.score !== undefined ? `score ${x.score}` : undefined,
    x.grade && x.grade !== x.risk ? `grade ${x.grade}` : undefined,
  ].filter(Boolean);
  const out = [`assessment by ${model} (${a.riskAssessment.method?.text ?? model}) of "${x.outcome.display}": ${headline.join(', ')}`];
  out.push('  attribution per modality (additive, on the model\'s scale):');
  for (const p of x.attribution) out.push(`    ${pad(p.modality, 13)}${p.contribution >= 0 ? '+' : ''}${p.contribution.toFixed(3)}  ${p.present ? 'present' : 'missing'}`);
  if (x.missing.length) out.push(`  missing inputs: ${x.missing.join(', ')}`);
  for (const w of x.warnings) out.push(`  warning: ${w}`);
  out.push(`  FHIR: RiskAssessment/${a.riskAssessment.id} status ${a.riskAssessment.status}, ${a.riskAssessment.basis?.length ?? 0} basis item(s); Provenance names the model and Bundle/${a.bundle.id}`);
  return out;
}

/** Everything `sinew demo` prints, in order. */
export function demoReport(f: DemoFacts): string {
  const golden = f.golden ? `golden record ${f.golden}` : 'not linked to a golden record';
  const lines = [
    `Sinew demo: seed ${f.seed}, ${f.patients} patients, ${f.days} days from ${f.start}, on an in-memory database`,
    `simulate  ${f.messages} HL7v2 messages (${list(f.messageTypes)})`,
    `ingest    accepted ${f.counts.accepted}, duplicate ${f.counts.duplicate}, error ${f.counts.error}, rejected ${f.counts.rejected} in ${f.ingestSeconds.toFixed(1)} s (intake, worker: normalize, identity, timeline)`,
    `identity  ${f.identity.sources} source records linked into ${f.identity.goldens} golden records (current links: ${list(f.identity.states)})`,
    `timeline  ${Object.values(f.timeline).reduce((s, n) => s + n, 0)} facts (${list(f.timeline)})`,
    '',
    `patient   ${f.moment.identifier} (simulated person ${f.moment.personId}): ${golden}, ${f.patientSources.length} source record(s) as known at the index time`,
    `moment    index time ${f.bundle.indexTime}, as of ${f.bundle.asOf} (${f.bundle.leakageSafe ? 'leakage-safe: nothing known later is used' : 'NOT leakage-safe'})`,
    `rule      one hour after each laboratory sample; of ${f.candidates} candidate moments with a modality pending, stale or absent: the most model inputs present, then the most modalities present, then a pending result, then the earliest`,
    '',
    `aligned bundle ${f.bundle.id} (spec ${f.bundle.spec.name}@${f.bundle.spec.version}, ${f.bundle.items.length} items)`,
    ...bundleTable(f.bundle),
    '',
    ...assessmentLines(f.model, f.assessment),
    '',
    'This is decision support for a clinician, not a diagnosis; the stacker weights are illustrative, not fitted.',
  ];
  return `${lines.join('\n')}\n`;
}
