import type { RequestHandler, Response } from 'express';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { isAdmin } from '../../auth/scopes.js';
import { INGEST_RESULT_SYSTEM, type EntryResult, type FhirIngest, type FhirSource } from '../../pipeline/fhir-ingest.js';
import { claimsOf } from '../auth-middleware.js';
import { httpError, statusOf } from '../outcome-middleware.js';
import { requireAccess } from './fhir-access.js';

export interface BundleDeps {
  ingest: FhirIngest;
}

/** `sinew import` and `sinew pull` talking to a running server mark their Bundles as backfills. */
export const SOURCE_HEADER = 'x-sinew-source';
const BACKFILL_KINDS = ['fhir-file', 'fhir-pull'] as const;

/**
 * `POST [base]` with a transaction or batch Bundle (https://hl7.org/fhir/R4/http.html#transaction),
 * through the FHIR ingest service: validated, stored, and seen by identity and timeline like any
 * other source. A transaction is all-or-nothing; a batch answers each entry, a failure as an
 * OperationOutcome naming `Bundle.entry[i]`; an entry equal to what is stored is answered 200 with
 * an informational outcome coded `duplicate`.
 */
export function bundleHandler(deps: BundleDeps): RequestHandler {
  return async (req, res) => {
    const bundle = req.body as Bundle | undefined;
    if (bundle?.resourceType !== 'Bundle' || (bundle.type !== 'transaction' && bundle.type !== 'batch')) {
      throw httpError('invalid', 'POST [base] takes a Bundle of type transaction or batch', 'Bundle.type');
    }
    const source = sourceOf(res, req.get(SOURCE_HEADER));
    const result = await deps.ingest.ingest(bundle as Resource, source, { authorize: (type, interaction) => void requireAccess(res, type, interaction) });
    const out: Bundle = {
      resourceType: 'Bundle',
      type: result.mode === 'transaction' ? 'transaction-response' : 'batch-response',
      entry: result.entries.map(responseEntry),
    };
    res.type('application/fhir+json').json(out);
  };
}

/** Only an administrator (the local CLI's token) may declare a backfill: it sets when data counts as known. */
function sourceOf(res: Response, header: string | undefined): FhirSource {
  if (!header) return { kind: 'fhir-api' };
  const kind = BACKFILL_KINDS.find((k) => k === header);
  if (!kind) throw httpError('invalid', `${SOURCE_HEADER} must be one of ${BACKFILL_KINDS.join(', ')}, not "${header}"`);
  const claims = claimsOf(res);
  if (claims && !isAdmin(claims)) throw httpError('forbidden', `${SOURCE_HEADER} needs an administrator token`);
  return { kind };
}

function responseEntry(r: EntryResult): BundleEntry {
  if (!r.stored) {
    const outcome = r.outcome ?? { resourceType: 'OperationOutcome', issue: [] };
    return { response: { status: String(statusOf(outcome)), outcome } };
  }
  const { type, id, versionId, resource, created } = r.stored;
  if (r.result === 'deleted') return { response: { status: '204 No Content' } };
  if (r.result === 'read') return { ...(resource ? { resource } : {}), response: { status: '200 OK' } };
  return {
    fullUrl: `${type}/${id}`,
    ...(resource ? { resource } : {}),
    response: {
      status: created ? '201 Created' : '200 OK',
      ...(versionId ? { location: `${type}/${id}/_history/${versionId}`, etag: `W/"${versionId}"` } : {}),
      ...(resource?.meta?.lastUpdated ? { lastModified: resource.meta.lastUpdated } : {}),
      ...(r.result === 'duplicate'
        ? {
            outcome: {
              resourceType: 'OperationOutcome',
              issue: [
                {
                  severity: 'information',
                  code: 'informational',
                  details: { coding: [{ system: INGEST_RESULT_SYSTEM, code: 'duplicate' }], text: `Bundle.entry[${r.index}]: equal to the stored version; no new version written` },
                },
              ],
            },
          }
        : {}),
    },
  };
}
