import { Option, type Command } from 'commander';
import { SETTINGS, type Config, type SettingName } from '../config/config.schema.js';
import { loadConfig, type Flags } from '../config/load-config.js';

/** Settings every database command takes (INTERFACE.md: the same flags everywhere). */
export const DATABASE_SETTINGS: SettingName[] = ['databaseUrl', 'dataDir', 'tz', 'facilityTz', 'logLevel'];
export const SERVER_SETTINGS: SettingName[] = [
  ...DATABASE_SETTINGS,
  'host',
  'httpPort',
  'mllpPort',
  'auth',
  'worker',
  'mllpTlsCert',
  'mllpTlsKey',
  'mllpTlsCa',
  'mllpMaxMessageBytes',
  'mllpIdleTimeout',
];

const HELP: Record<SettingName, string> = {
  databaseUrl: 'postgres:// URL of a PostgreSQL 15+ server',
  dataDir: "embedded PGlite folder when no database URL is set; 'memory' keeps it in memory",
  host: 'address both listeners bind to',
  httpPort: 'HTTP port (0 picks a free one)',
  mllpPort: "MLLP port (0 picks a free one, 'off' disables it)",
  tz: 'zone for HL7 times without an offset',
  facilityTz: 'per-facility zones, FACILITY=ZONE[,…] (MSH-4)',
  auth: "bearer-token auth: 'on' or 'off' (local experiments only)",
  worker: "process stored messages in this process: 'on', or 'off' for an ingest-only node",
  mllpTlsCert: 'PEM certificate: MLLP over TLS',
  mllpTlsKey: 'PEM private key for --mllp-tls-cert',
  mllpTlsCa: 'PEM CA: require and verify client certificates',
  mllpMaxMessageBytes: 'largest MLLP message accepted',
  mllpIdleTimeout: 'seconds before a silent MLLP connection is closed (0: never)',
  logLevel: 'log level (JSON logs on stderr)',
};

export function addSettings(cmd: Command, names: SettingName[]): Command {
  for (const name of names) {
    const s = SETTINGS[name];
    // Defaults are applied by loadConfig so that an environment variable can sit between flag and default.
    cmd.addOption(new Option(`${s.flag} <value>`, `${HELP[name]} (env ${s.env}${s.default ? `, default ${s.default}` : ''})`));
  }
  return cmd;
}

export function configFrom(opts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Config {
  const flags: Flags = {};
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    if (opts[name] !== undefined) flags[name] = opts[name] as string;
  }
  return loadConfig(env, flags);
}
