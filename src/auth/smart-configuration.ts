import type { JSONWebKeySet } from 'jose';
import type { KeyPair } from './signing-key.js';
import { SUPPORTED_SCOPES } from './scopes.js';

/**
 * `/.well-known/smart-configuration` (SMART App Launch 2.2).
 * See: https://hl7.org/fhir/smart-app-launch/conformance.html
 *
 * Honest about what exists: tokens are minted by `sinew token` only, so no grant type, no
 * authorization or token endpoint is advertised yet, and `issuer` is omitted (the specification
 * requires it only with `sso-openid-connect`, which we do not offer). What is true: tokens carry
 * SMART v2 scopes (`permission-v2`), may be confined to a patient (`permission-patient`), and are
 * verifiable with the public key at `jwks_uri`.
 */
export interface SmartConfiguration {
  jwks_uri: string;
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
  response_types_supported: string[];
  capabilities: string[];
  code_challenge_methods_supported: string[];
}

export function smartConfiguration(baseUrl: string): SmartConfiguration {
  const base = baseUrl.replace(/\/+$/, '');
  return {
    jwks_uri: `${base}/.well-known/jwks.json`,
    grant_types_supported: [],
    token_endpoint_auth_methods_supported: [],
    scopes_supported: [...SUPPORTED_SCOPES],
    response_types_supported: [],
    capabilities: ['permission-v2', 'permission-patient'],
    // Required by the specification whenever an authorization endpoint exists; declared for when it does.
    code_challenge_methods_supported: ['S256'],
  };
}

export function jwks(key: KeyPair): JSONWebKeySet {
  return { keys: [key.publicJwk] };
}
