import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import type { Db } from '../../db/database.js';
import { encountersAsOf } from '../../timeline/encounter.repository.js';
import type { ExportIdentifier, ExportRequest, IndexRule } from './export-request.js';

/** One row of the training set: a patient at an index time. */
export interface ExportItem {
  patient: string;
  indexTime: string;
}

export interface ExpandDeps {
  db: Db;
  resolvePatientRecords: (patientId: string, asOf: Date) => Promise<string[]>;
  now: () => Date;
}

/** Source Patient records carrying the identifier (system optional), as the FHIR store indexes them. */
async function patientsByIdentifier(db: Db, ident: ExportIdentifier): Promise<string[]> {
  let q = db.selectFrom('fhir_search').select('id').distinct().where('resource_type', '=', 'Patient').where('code', '=', 'identifier').where('value', '=', ident.value);
  if (ident.system) q = q.where('system', '=', ident.system);
  return (await q.orderBy('id').execute()).map((r) => r.id);
}

/**
 * Index times from a cohort rule: for each encounter of the patient as known at `knownAt` (cancelled
 * ones are not encounters), its admission or discharge plus the offset. An index time that lies in
 * the future cannot be answered yet and is reported, not exported.
 */
async function ruleItems(deps: ExpandDeps, patient: string, rule: IndexRule, knownAt: Date, notes: OperationOutcomeIssue[]): Promise<ExportItem[]> {
  const records = await deps.resolvePatientRecords(patient, knownAt);
  const encounters = await encountersAsOf(deps.db, records, knownAt);
  const nowMs = deps.now().getTime();
  const out: ExportItem[] = [];
  for (const e of encounters) {
    if (e.status !== 'in-progress' && e.status !== 'finished') continue;
    if (rule.patientClass && e.patientClass !== rule.patientClass) continue;
    const anchor = rule.anchor === 'admission' ? e.periodStart : e.status === 'finished' ? e.periodEnd : undefined;
    if (!anchor) continue;
    const at = Date.parse(anchor) + rule.offsetMs;
    if (at > nowMs) {
      notes.push({ severity: 'information', code: 'informational', details: { text: `Encounter/${e.encounterId} of Patient/${patient}: index time ${new Date(at).toISOString()} is in the future; not exported` }, expression: ['index-rule'] });
      continue;
    }
    out.push({ patient, indexTime: new Date(at).toISOString() });
  }
  return out;
}

/**
 * Every (patient, index time) pair of a kick-off, de-duplicated and in a stable order, plus the
 * issues met on the way (an identifier that matches nobody): these go to the job's error file.
 */
export async function expandItems(deps: ExpandDeps, r: ExportRequest): Promise<{ items: ExportItem[]; notes: OperationOutcomeIssue[] }> {
  const notes: OperationOutcomeIssue[] = [];
  const patients = [...r.patients];
  for (const ident of r.identifiers) {
    const found = await patientsByIdentifier(deps.db, ident);
    if (found.length === 0) notes.push({ severity: 'error', code: 'not-found', details: { text: `identifier ${ident.system ? `${ident.system}|` : ''}${ident.value} matches no Patient` }, expression: ['identifier'] });
    patients.push(...found);
  }
  const items: ExportItem[] = [...r.items];
  for (const patient of new Set(patients)) {
    for (const indexTime of r.indexTimes) items.push({ patient, indexTime });
    if (r.rule) items.push(...(await ruleItems(deps, patient, r.rule, r.asOf ? new Date(r.asOf) : deps.now(), notes)));
  }
  const seen = new Set<string>();
  const unique = items.filter((i) => {
    const key = `${i.patient}\u0000${Date.parse(i.indexTime)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { items: unique, notes };
}
