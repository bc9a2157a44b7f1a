import { Client } from 'fhir-kit-client';
import type { UpstreamClient } from './fhir-puller.js';

/** fhir-kit-client on the upstream base URL, with a bearer token when one is given. */
export function createUpstreamClient(from: string, token?: string): UpstreamClient {
  const client = new Client({ baseUrl: from, ...(token ? { bearerToken: token } : {}) });
  return {
    capabilityStatement: () => client.capabilityStatement(),
    search: (p) => client.search(p),
    nextPage: (p) => client.nextPage(p),
  };
}
