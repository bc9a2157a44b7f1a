import type { Bundle, OperationOutcome, Parameters, Patient } from '@medplum/fhirtypes';
import { loadOrCreateSigningKey, signingKeyStoreFor } from '../auth/signing-key.js';
import { mintToken } from '../auth/tokens.js';
import type { Config } from '../config/config.schema.js';
import { ConfigError } from '../config/load-config.js';
import { OperationOutcomeError } from '../fhir/outcomes.js';
import type { BundleRun } from './bundle.command.js';
import { ownsIdentifier, parseIdentifier } from './patient-lookup.js';

async function getJson(url: string, token: string): Promise<unknown> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/fhir+json' } });
  const body = (await res.json().catch(() => undefined)) as { resourceType?: string } | undefined;
  if (body?.resourceType === 'OperationOutcome' && !res.ok) throw new OperationOutcomeError(body as OperationOutcome);
  if (!res.ok || !body) throw new Error(`the running server answered ${res.status} to GET ${new URL(url).pathname}`);
  return body;
}

/**
 * `sinew bundle` while `serve` holds the PGlite folder: the same answer through the server's own
 * `/fhir` (identifier search, then `$aligned-bundle`), with a short-lived administrator token signed
 * by the folder's key, as `sinew import` does.
 */
export async function remoteAlignedBundle(config: Config, baseUrl: string, run: BundleRun): Promise<Parameters> {
  const token = await mintToken(await loadOrCreateSigningKey(signingKeyStoreFor(config)), { ttlSeconds: 300 });
  const identifier = parseIdentifier(run.patient);
  let patientId = run.patient.replace(/^Patient\//, '');
  if (identifier) {
    const found = (await getJson(`${baseUrl}/fhir/Patient?identifier=${encodeURIComponent(`${identifier.system}|${identifier.value}`)}&_count=20`, token)) as Bundle;
    const patients = (found.entry ?? []).flatMap((e) => (e.resource?.resourceType === 'Patient' && e.resource.id ? [e.resource as Patient] : []));
    if (patients.length === 0) throw new ConfigError(`no patient has the identifier ${identifier.system}|${identifier.value}`);
    // As locally: the record whose own identifier it is, else the first by id. The server resolves
    // that record to every record linked with it (as known at as-of).
    const byId = [...patients].sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
    patientId = (byId.find((p) => ownsIdentifier(p, identifier.system, identifier.value)) ?? byId[0])?.id as string;
  }
  const q = new URLSearchParams({ 'index-time': run.at, ...(run.asOf ? { 'as-of': run.asOf } : {}), ...(run.spec ? { spec: run.spec } : {}) });
  return (await getJson(`${baseUrl}/fhir/Patient/${encodeURIComponent(patientId)}/$aligned-bundle?${q.toString()}`, token)) as Parameters;
}
