import { createHash } from 'node:crypto';
import type { Device, Extension, Provenance, Reference, RiskAssessment } from '@medplum/fhirtypes';
import type { AlignedBundle } from '../fusion/aligned-bundle.types.js';
import { EXT, IDENTIFIER_SYSTEM } from '../fusion/fhir-urls.js';
import { versionedReference } from '../fusion/to-fhir-parameters.js';
import type { Assessment } from './model-backend.js';

export interface ModelIdentity {
  name: string;
  version?: string;
}

export interface RiskAssessmentOutput {
  riskAssessment: RiskAssessment;
  provenance: Provenance;
}

const RISK_PROBABILITY = 'http://terminology.hl7.org/CodeSystem/risk-probability';
const DISCLAIMER = 'Decision support for a clinician; not a diagnosis.';

/** The model as a contained Device (HL7 AI Transparency on FHIR names the AI as a Device). */
function modelDevice(model: ModelIdentity): Device {
  return {
    resourceType: 'Device',
    id: 'model',
    identifier: [{ system: IDENTIFIER_SYSTEM.model, value: model.name }],
    deviceName: [{ name: model.name, type: 'model-name' }],
    type: { text: 'Artificial Intelligence' },
    ...(model.version ? { version: [{ value: model.version }] } : {}),
  };
}

function attributionExtensions(a: Assessment): Extension[] {
  return a.attribution.map((x) => ({
    url: EXT.modalityAttribution,
    extension: [
      { url: 'modality', valueCode: x.modality },
      { url: 'contribution', valueDecimal: x.contribution },
      { url: 'present', valueBoolean: x.present },
      ...(x.error ? [{ url: 'error', valueString: x.error }] : []),
    ],
  }));
}

function basis(a: Assessment, bundle: AlignedBundle): Reference[] {
  const used = a.basis ? new Set(a.basis) : new Set(bundle.items.filter((e) => a.attribution.some((x) => x.modality === e.modality)).map((e) => e.id));
  return bundle.items.filter((e) => used.has(e.id)).map(versionedReference);
}

/**
 * A RiskAssessment (status `preliminary`: decision support, never a diagnosis) plus a Provenance
 * naming the model as a Device agent and the aligned bundle it read. The id is deterministic in the
 * bundle and the model, so re-assessing the same bundle with the same model names the same result.
 * See: https://hl7.org/fhir/R4/riskassessment.html, notes/fusion.md §4.2.
 */
export function toRiskAssessment(assessment: Assessment, bundle: AlignedBundle, model: ModelIdentity, now: string): RiskAssessmentOutput {
  const id = createHash('sha256').update(JSON.stringify([bundle.id, model.name, model.version ?? ''])).digest('hex');
  const a = assessment;
  const rationale = [a.grade, a.score !== undefined ? `score ${a.score}` : undefined].filter(Boolean).join(', ');
  const riskAssessment: RiskAssessment = {
    resourceType: 'RiskAssessment',
    id,
    contained: [modelDevice(model)],
    extension: attributionExtensions(a),
    identifier: [{ system: IDENTIFIER_SYSTEM.riskAssessment, value: id }],
    status: 'preliminary',
    method: { coding: [{ system: IDENTIFIER_SYSTEM.model, code: model.name }], text: model.version ? `${model.name} ${model.version}` : model.name },
    subject: { reference: `Patient/${bundle.patient}` },
    occurrenceDateTime: bundle.indexTime,
    performer: { reference: '#model', display: model.name },
    basis: basis(a, bundle),
    prediction: [
      {
        outcome: { coding: [a.outcome], text: a.outcome.display },
        ...(a.probability !== undefined ? { probabilityDecimal: a.probability } : {}),
        ...(a.risk ? { qualitativeRisk: { coding: [{ system: RISK_PROBABILITY, code: a.risk }] } } : {}),
        ...(rationale ? { rationale } : {}),
      },
    ],
    note: [DISCLAIMER, ...a.warnings, ...(a.missing.length ? [`missing modalities: ${a.missing.join(', ')}`] : [])].map((text) => ({ text })),
  };
  const provenance: Provenance = {
    resourceType: 'Provenance',
    contained: [modelDevice(model)],
    target: [{ reference: `RiskAssessment/${id}` }],
    occurredDateTime: bundle.indexTime,
    recorded: now,
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'performer' }] },
        who: { reference: '#model', display: model.name },
      },
    ],
    entity: [{ role: 'source', what: { reference: `Bundle/${bundle.id}`, identifier: { system: IDENTIFIER_SYSTEM.alignedBundle, value: bundle.id } } }],
  };
  return { riskAssessment, provenance };
}
