import type { Bundle, Identifier, Parameters, ParametersParameter, Patient } from '@medplum/fhirtypes';
import express, { Router, type Request } from 'express';
import type { Db } from '../../db/database.js';
import type { IdentityDeps } from '../../identity/identity-deps.js';
import { matchPatient, pixLookup } from '../../identity/index-queries.js';
import { isCurrent } from '../../identity/link-store.js';
import { mergeSources } from '../../identity/merge.js';
import { claimsOf } from '../auth-middleware.js';
import { httpError } from '../outcome-middleware.js';
import { MATCH_GRADE_URL } from './identity-operations.js';

export interface IdentityRouterDeps {
  db: Db;
  identity: IdentityDeps;
}

const FHIR_JSON = { type: ['application/json', 'application/fhir+json'], limit: '1mb' };
const param = (p: Parameters | undefined, name: string) => p?.parameter?.find((x) => x.name === name);
const params = (p: Parameters | undefined, name: string) => p?.parameter?.filter((x) => x.name === name) ?? [];

function parametersOf(req: Request): Parameters {
  const body = req.body as Parameters | undefined;
  if (body?.resourceType !== 'Parameters') throw httpError('invalid', 'the body must be a Parameters resource');
  return body;
}

function baseUrl(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

/** Rolls a preview transaction back after computing its answer. */
class PreviewRollback<T> extends Error {
  constructor(readonly value: T) {
    super('preview');
  }
}

/**
 * Identity operations on `/fhir`, mounted before the generic FHIR routes: `Patient/$match`
 * (IHE PDQm ITI-119), `Patient/$ihe-pix` (IHE PIXm ITI-83) and `Patient/$merge`.
 */
export function createIdentityRouter(deps: IdentityRouterDeps): Router {
  const router = Router();
  const { db, identity } = deps;

  /** See: https://hl7.org/fhir/R4/patient-operation-match.html and IHE ITI-119. */
  router.post('/Patient/\\$match', express.json(FHIR_JSON), async (req, res) => {
    const input = parametersOf(req);
    const patient = param(input, 'resource')?.resource as Patient | undefined;
    if (patient?.resourceType !== 'Patient') throw httpError('invalid', 'parameter "resource" must hold a Patient', 'Parameters.parameter.resource');
    const count = param(input, 'count')?.valueInteger;
    if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 100)) throw httpError('invalid', 'count must be between 1 and 100', 'Parameters.parameter.count');
    const onlyCertain = param(input, 'onlyCertainMatches')?.valueBoolean === true;
    const matches = await matchPatient(db, patient, identity, { onlyCertain, ...(count ? { count } : {}) });
    const base = baseUrl(req);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: matches.length,
      entry: matches.map((m) => ({
        fullUrl: `${base}/Patient/${m.goldenId}`,
        resource: m.golden,
        search: { mode: 'match', score: Number(m.probability.toFixed(6)), extension: [{ url: MATCH_GRADE_URL, valueCode: m.grade }] },
      })),
    };
    res.type('application/fhir+json').json(bundle);
  });

  /** See: IHE PIXm ITI-83 (https://profiles.ihe.net/ITI/PIXm/ITI-83.html). */
  router.get('/Patient/\\$ihe-pix', async (req, res) => {
    const raw = req.query.sourceIdentifier;
    if (typeof raw !== 'string' || !/^[^|]+\|.+$/.test(raw)) throw httpError('invalid', 'sourceIdentifier must be system|value', 'sourceIdentifier');
    const [system, value] = [raw.slice(0, raw.indexOf('|')), raw.slice(raw.indexOf('|') + 1)];
    const targets = ([] as unknown[]).concat(req.query.targetSystem ?? []).filter((t): t is string => typeof t === 'string' && t.length > 0);
    const found = await pixLookup(db, system, value, targets, identity);
    if (found.kind === 'unknown-system') throw httpError('invalid', 'sourceIdentifier assigning authority not found', 'sourceIdentifier');
    if (found.kind === 'unknown-target-system') throw httpError('forbidden', 'targetSystem not found', 'targetSystem');
    if (found.kind === 'not-found') throw httpError('not-found', 'sourceIdentifier patient identifier not found', 'sourceIdentifier');
    const parameter: ParametersParameter[] = [
      ...found.identifiers.map((i): ParametersParameter => ({ name: 'targetIdentifier', valueIdentifier: i })),
      ...found.sourceIds.map((id): ParametersParameter => ({ name: 'targetId', valueReference: { reference: `Patient/${id}` } })),
    ];
    res.type('application/fhir+json').json({ resourceType: 'Parameters', parameter } satisfies Parameters);
  });

  /** See: http://hl7.org/fhir/OperationDefinition/Patient-merge (R5 / admin incubator). */
  router.post('/Patient/\\$merge', express.json(FHIR_JSON), async (req, res) => {
    const input = parametersOf(req);
    const from = await resolveSource(db, input, 'source-patient');
    const into = await resolveSource(db, input, 'target-patient');
    const preview = param(input, 'preview')?.valueBoolean === true;
    const by = claimsOf(res)?.sub ?? 'fhir:$merge';
    const run = async (trx: Db) => {
      const merged = await mergeSources(trx, { from, into, by, at: new Date() }, identity);
      const golden = await trx.selectFrom('mpi_golden').select('resource').where('id', '=', merged.intoGolden).executeTakeFirstOrThrow();
      return { merged, result: golden.resource as unknown as Patient };
    };
    let answer: Awaited<ReturnType<typeof run>>;
    if (preview) {
      answer = await db
        .transaction()
        .execute(async (trx) => {
          throw new PreviewRollback(await run(trx));
        })
        .catch((err: unknown) => {
          if (err instanceof PreviewRollback) return err.value as Awaited<ReturnType<typeof run>>;
          throw err;
        });
    } else answer = await run(db);
    const text = preview
      ? `preview: would merge golden ${answer.merged.fromGolden} into ${answer.merged.intoGolden} (${answer.merged.moved.length} source(s))`
      : `merged golden ${answer.merged.fromGolden} into ${answer.merged.intoGolden}; merge id ${answer.merged.mergeId} (reversible: POST /admin/identity/unmerge/${answer.merged.mergeId})`;
    const out: Parameters = {
      resourceType: 'Parameters',
      parameter: [
        { name: 'input', resource: input },
        { name: 'outcome', resource: { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', details: { text } }] } },
        { name: 'result', resource: answer.result },
      ],
    };
    res.type('application/fhir+json').json(out);
  });

  return router;
}

/** A source id from `<name>` (a Patient reference: source or golden) or `<name>-identifier`. */
async function resolveSource(db: Db, input: Parameters, name: string): Promise<string> {
  const ref = param(input, name)?.valueReference?.reference;
  if (ref) {
    const id = /^(?:.*\/)?Patient\/([^/]+)$/.exec(ref)?.[1];
    if (!id) throw httpError('invalid', `${name} must reference a Patient`, name);
    const source = await db.selectFrom('mpi_source').select('id').where('id', '=', id).executeTakeFirst();
    if (source) return source.id;
    const member = await db.selectFrom('mpi_link').select('source_id').where('golden_id', '=', id).where('state', '=', 'MATCH').where(isCurrent).orderBy('source_id').executeTakeFirst();
    if (member?.source_id) return member.source_id;
    throw httpError('not-found', `${name} ${ref} is not in the index`, name);
  }
  const identifiers = params(input, `${name}-identifier`).map((p) => p.valueIdentifier).filter((i): i is Identifier => Boolean(i?.system && i.value));
  if (!identifiers.length) throw httpError('invalid', `${name} or ${name}-identifier is required`, name);
  const rows = await db
    .selectFrom('mpi_identifier')
    .select('source_id')
    .distinct()
    .where((eb) => eb.or(identifiers.map((i) => eb.and([eb('system', '=', i.system as string), eb('value', '=', (i.value as string).trim().toUpperCase())]))))
    .execute();
  if (!rows.length) throw httpError('not-found', `${name}-identifier is not in the index`, `${name}-identifier`);
  if (rows.length > 1) throw httpError('business-rule', `${name}-identifier names ${rows.length} source records`, `${name}-identifier`);
  return rows[0]?.source_id as string;
}
