import fs from 'node:fs';
import path from 'node:path';
import { getSearchParameter } from '@medplum/core';
import type { CapabilityStatement, CapabilityStatementRestResource, OperationDefinition } from '@medplum/fhirtypes';
import { FHIR_RESOURCE_TYPES, RESOURCE_PARAMS, searchParamsFor } from '../../fhir/search-parameters.js';
import { EVERYTHING_DEFINITION } from './everything.handler.js';

/** An operation another router serves under /fhir, declared so `/metadata` lists it. */
export interface FhirOperationDeclaration {
  /** Without `$`: `match`, `aligned-bundle`. */
  name: string;
  /** Canonical URL of its OperationDefinition. */
  definition: string;
  /** Types it is invoked on; absent for a system-level operation (`[base]/$op`). */
  resource?: string[];
  documentation?: string;
}

/**
 * The CapabilityStatement (https://hl7.org/fhir/R4/capabilitystatement.html), built from the same
 * lists the router and the search code use, so it says exactly what works.
 */
export function buildCapabilityStatement(opts: { operations: readonly FhirOperationDeclaration[]; software?: string; version?: string }): CapabilityStatement {
  const ops: FhirOperationDeclaration[] = [{ name: 'everything', definition: EVERYTHING_DEFINITION, resource: ['Patient'] }, ...opts.operations];
  const resource: CapabilityStatementRestResource[] = FHIR_RESOURCE_TYPES.map((type) => {
    const typeOps = ops.filter((o) => o.resource?.includes(type));
    return {
      type,
      interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'history-instance' }, { code: 'search-type' }],
      versioning: 'versioned',
      readHistory: true,
      searchInclude: searchParamsFor(type).filter((p) => p.kind === 'reference').map((p) => `${type}:${p.code}`),
      searchParam: [
        ...RESOURCE_PARAMS.map((code) => ({ name: code, definition: getSearchParameter(type, code)?.url ?? '', type: code === '_id' ? 'token' : 'date' }) as const),
        ...searchParamsFor(type).map((p) => ({ name: p.code, definition: p.definition.url ?? '', type: p.kind })),
      ],
      ...(typeOps.length ? { operation: typeOps.map((o) => ({ name: o.name, definition: o.definition, ...(o.documentation ? { documentation: o.documentation } : {}) })) } : {}),
    };
  });
  resource.push({ type: 'OperationDefinition', interaction: [{ code: 'read' }] });
  const systemOps = ops.filter((o) => !o.resource?.length);
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    kind: 'instance',
    software: { name: opts.software ?? 'Sinew', ...(opts.version ? { version: opts.version } : {}) },
    fhirVersion: '4.0.1',
    format: ['application/fhir+json', 'json'],
    rest: [
      {
        mode: 'server',
        security: {
          service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
          description: 'Bearer tokens with SMART App Launch v2 scopes; see /.well-known/smart-configuration',
        },
        resource,
        interaction: [{ code: 'transaction' }, { code: 'batch' }],
        ...(systemOps.length ? { operation: systemOps.map((o) => ({ name: o.name, definition: o.definition })) } : {}),
      },
    ],
  };
}

/** Every OperationDefinition JSON file under `dir` (recursively), by id. */
export function loadOperationDefinitions(dir: string): Map<string, OperationDefinition> {
  const found = new Map<string, OperationDefinition>();
  const visit = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const file = path.join(d, e.name);
      if (e.isDirectory()) visit(file);
      else if (e.name.endsWith('.json')) {
        const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { resourceType?: string; id?: string };
        if (json.resourceType === 'OperationDefinition' && json.id) found.set(json.id, json as OperationDefinition);
      }
    }
  };
  if (fs.existsSync(dir)) visit(dir);
  return found;
}
