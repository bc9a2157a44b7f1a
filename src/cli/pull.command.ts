import { Command, Option } from 'commander';
import { createCore } from '../app.js';
import { loadOrCreateSigningKey, signingKeyStoreFor } from '../auth/signing-key.js';
import { mintToken } from '../auth/tokens.js';
import type { Config } from '../config/config.schema.js';
import { ConfigError } from '../config/load-config.js';
import { formatSummary, type ImportCounts } from '../ingest/files/progress.js';
import { runPull, type PullProblem, type TypeSummary } from '../ingest/fhir-pull/fhir-puller.js';
import { pullRequestSchema, type PullRequest } from '../ingest/fhir-pull/pull-request.js';
import { createUpstreamClient } from '../ingest/fhir-pull/upstream-client.js';
import { createLogger, type Logger } from '../logger.js';
import { addSettings, configFrom, DATABASE_SETTINGS } from './options.js';
import { findRunningServer } from './running-server.js';

const FLAG: Record<string, string> = { from: '--from', since: '--since', types: '--types', token: '--token', pageSize: '--page-size' };

/**
 * `sinew pull --from URL`: reads an upstream FHIR server page by page into Sinew as a backfill,
 * resuming from the cursor stored per upstream and type. On PGlite held by a running server, the
 * server runs the pull (`POST /admin/fhir-pull`).
 */
export function pullCommand(): Command {
  return addSettings(new Command('pull'), DATABASE_SETTINGS)
    .description('page through an upstream FHIR server (search by _lastUpdated, following next links) and ingest what it finds as a backfill; resumable')
    .addOption(new Option('--from <url>', 'upstream FHIR base URL').makeOptionMandatory())
    .addOption(new Option('--since <time>', 'only resources updated after this FHIR dateTime (default: where the last pull from --from stopped)'))
    .addOption(new Option('--types <list>', 'comma-separated resource types (default: every searchable type the upstream lists that Sinew stores)'))
    .addOption(new Option('--token <token>', 'bearer token for the upstream'))
    .addOption(new Option('--page-size <n>', 'entries asked per page (_count), 1-1000').default('100'))
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const request = parseRequest(opts);
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const onProblem = (p: PullProblem) => logger.warn({ type: p.type, where: p.where, result: p.result }, `pull: ${p.where}: ${p.result}: ${p.text}`);
      const onPage = (type: string, s: TypeSummary) => process.stderr.write(`pull: ${type} page ${s.pages}: accepted ${s.accepted}, duplicate ${s.duplicate}\n`);
      let summary: TypeSummary[];
      try {
        summary = await pullOnce(config, request, logger, { onPage, onProblem });
      } catch (err) {
        // The upstream or the network failed: one line, exit 1; the cursors keep what was read.
        process.stderr.write(`sinew pull: ${(err as Error).message}\n`);
        process.exitCode = 1;
        return;
      }
      printSummary(summary, logger);
    });
}

type Reporters = { onPage: (type: string, s: TypeSummary) => void; onProblem: (p: PullProblem) => void };

async function pullOnce(config: Config, request: PullRequest, logger: Logger, report: Reporters): Promise<TypeSummary[]> {
  const server = config.databaseUrl ? undefined : findRunningServer(config.dataDir);
  if (server) {
    const key = await loadOrCreateSigningKey(signingKeyStoreFor(config));
    return pullViaServer(server.http, await mintToken(key, { ttlSeconds: 24 * 3600 }), request, report);
  }
  const core = await createCore(config, logger);
  try {
    return await runPull({ db: core.database.db, ingest: core.fhirIngest, client: createUpstreamClient(request.from, request.token), ...report }, request);
  } finally {
    await core.database.close();
  }
}

function parseRequest(opts: Record<string, unknown>): PullRequest {
  const types = typeof opts.types === 'string' ? opts.types.split(',').map((t) => t.trim()).filter(Boolean) : undefined;
  const parsed = pullRequestSchema.safeParse({
    from: opts.from,
    ...(opts.since !== undefined ? { since: opts.since } : {}),
    ...(types ? { types } : {}),
    ...(opts.token !== undefined ? { token: opts.token } : {}),
    pageSize: Number(opts.pageSize),
  });
  if (parsed.success) return parsed.data;
  const i = parsed.error.issues[0];
  const name = String(i?.path[0] ?? '');
  throw new ConfigError(`${FLAG[name] ?? name}: ${i?.message ?? 'invalid'} (got ${JSON.stringify(opts[name === 'pageSize' ? 'pageSize' : name])})`);
}

async function pullViaServer(base: string, token: string, request: PullRequest, { onPage, onProblem }: Reporters): Promise<TypeSummary[]> {
  const res = await fetch(`${base}/admin/fhir-pull`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(request),
  });
  if (!res.ok || !res.body) throw new Error(`the running server answered ${res.status} to POST /admin/fhir-pull: ${(await res.text()).slice(0, 300)}`);
  let rest = '';
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    rest += decoder.decode(chunk as Uint8Array, { stream: true });
    for (let nl = rest.indexOf('\n'); nl >= 0; nl = rest.indexOf('\n')) {
      const msg = JSON.parse(rest.slice(0, nl)) as { page?: TypeSummary; problem?: PullProblem; summary?: TypeSummary[]; error?: string };
      rest = rest.slice(nl + 1);
      if (msg.page) onPage(msg.page.type, msg.page);
      if (msg.problem) onProblem(msg.problem);
      if (msg.error) throw new Error(msg.error);
      if (msg.summary) return msg.summary;
    }
  }
  throw new Error('the running server ended the pull without a summary');
}

function printSummary(summary: TypeSummary[], logger: Logger): void {
  const total: ImportCounts = { accepted: 0, duplicate: 0, error: 0, rejected: 0 };
  for (const s of summary) {
    process.stdout.write(`${s.type}: ${s.pages} page${s.pages === 1 ? '' : 's'}, ${formatSummary(s)}\n`);
    if (!s.sorted) logger.warn({ type: s.type }, `pull: the upstream did not sort ${s.type} by _lastUpdated; its cursor moved only at the end`);
    for (const k of ['accepted', 'duplicate', 'error', 'rejected'] as const) total[k] += s[k];
  }
  process.stdout.write(`${formatSummary(total)}\n`);
  if (total.error > 0 || total.rejected > 0) process.exitCode = 1;
}
