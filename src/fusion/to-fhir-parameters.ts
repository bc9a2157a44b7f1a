import type { Bundle, BundleEntry, Extension, Parameters, ParametersParameter, Provenance, Reference } from '@medplum/fhirtypes';
import type { TimelineEvent } from '../timeline/timeline-event.js';
import type { AlignedBundle, ModalityResult } from './aligned-bundle.types.js';
import { ALIGNED_BUNDLE_OPERATION, EXT, IDENTIFIER_SYSTEM } from './fhir-urls.js';

export interface ToFhirOptions {
  /** Provenance.recorded; defaults to as-of so that equal inputs give byte-equal output. */
  recorded?: string;
  /** Names the fusion service in the Provenance agent. */
  serviceVersion?: string;
}

/** `Observation/1/_history/2`: versioned, so the reference keeps meaning what it meant at as-of. */
export function versionedReference(e: { resourceType: string; resourceId: string; versionId: string }): Reference {
  return { reference: `${e.resourceType}/${e.resourceId}/_history/${e.versionId}` };
}

function entryExtensions(e: TimelineEvent, ageSeconds: number): Extension[] {
  return [
    e.clinicalEnd
      ? { url: EXT.effectiveTime, valuePeriod: { start: e.clinicalStart, end: e.clinicalEnd } }
      : { url: EXT.effectiveTime, valueDateTime: e.clinicalStart },
    { url: EXT.availableAt, valueInstant: new Date(Date.parse(e.availableAt)).toISOString() },
    { url: EXT.age, valueDuration: { value: ageSeconds, unit: 's', system: 'http://unitsofmeasure.org', code: 's' } },
    { url: EXT.modality, valueCode: e.modality },
  ];
}

/**
 * The Bundle of type collection. Items whose resource body the query did not load appear only as
 * `item` references in their modality part: a Bundle entry must carry a resource (bdl-5).
 */
export function toFhirBundle(bundle: AlignedBundle): Bundle {
  const ages = new Map(bundle.modalities.flatMap((m) => m.items.map((i) => [i.eventId, i.ageSeconds] as const)));
  // Components of one Observation are separate items but one resource version: one entry each.
  const seen = new Set<string>();
  const entry: BundleEntry[] = bundle.items
    .filter((e) => {
      const key = `${e.resourceType}/${e.resourceId}/${e.versionId}`;
      if (e.resource === undefined || seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((e) => ({ extension: entryExtensions(e, ages.get(e.id) ?? 0), resource: e.resource }));
  return {
    resourceType: 'Bundle',
    id: bundle.id,
    identifier: { system: IDENTIFIER_SYSTEM.alignedBundle, value: bundle.id },
    type: 'collection',
    timestamp: bundle.asOf,
    entry,
  };
}

/** A Provenance for the bundle: who assembled it, from which item versions, under which spec. */
export function toBundleProvenance(bundle: AlignedBundle, options: ToFhirOptions = {}): Provenance {
  return {
    resourceType: 'Provenance',
    target: [{ reference: `Bundle/${bundle.id}`, identifier: { system: IDENTIFIER_SYSTEM.alignedBundle, value: bundle.id } }],
    recorded: options.recorded ?? bundle.asOf,
    policy: [`${ALIGNED_BUNDLE_OPERATION}#spec=${bundle.spec.name}@${bundle.spec.version}`],
    activity: { text: `aligned-bundle index-time=${bundle.indexTime} as-of=${bundle.asOf}` },
    agent: [
      {
        type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'assembler' }] },
        who: { display: `Sinew fusion service${options.serviceVersion ? ` ${options.serviceVersion}` : ''}` },
      },
    ],
    entity: bundle.items.map((e) => ({ role: 'source' as const, what: versionedReference(e) })),
  };
}

function modalityPart(m: ModalityResult): ParametersParameter {
  const part: ParametersParameter[] = [
    { name: 'name', valueCode: m.name },
    { name: 'status', valueCode: m.status },
    { name: 'reason', valueString: m.reason },
    ...(m.windowStart ? [{ name: 'window-start', valueDateTime: m.windowStart }] : []),
    { name: 'window-end', valueDateTime: m.windowEnd },
    { name: 'count', valueInteger: m.count },
    ...(m.newestAvailableAt ? [{ name: 'newest-available-at', valueInstant: m.newestAvailableAt }] : []),
    ...m.items.map((i) => ({ name: 'item', valueReference: versionedReference(i) })),
  ];
  return { name: 'modality', part };
}

/** The `$aligned-bundle` output (INTERFACE.md; notes/fusion.md §4.1; profiles/OperationDefinition-aligned-bundle.json). */
export function toFhirParameters(bundle: AlignedBundle, options: ToFhirOptions = {}): Parameters {
  return {
    resourceType: 'Parameters',
    parameter: [
      { name: 'bundle', resource: toFhirBundle(bundle) },
      ...bundle.modalities.map(modalityPart),
      { name: 'provenance', resource: toBundleProvenance(bundle, options) },
      { name: 'index-time', valueDateTime: bundle.indexTime },
      { name: 'as-of', valueInstant: bundle.asOf },
      { name: 'leakage-safe', valueBoolean: bundle.leakageSafe },
      { name: 'spec', valueString: `${bundle.spec.name}@${bundle.spec.version}` },
    ],
  };
}
