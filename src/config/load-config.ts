import { SETTINGS, type Config, type SettingName } from './config.schema.js';

export type Env = Record<string, string | undefined>;
export type Flags = Partial<Record<SettingName, string | number | undefined>>;

/** A bad setting: the message is the one line the CLI prints before exiting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parse every setting once at start: flag, else environment, else default. The first invalid value
 * stops the program with one line naming the flag and the value (STYLE.md pattern 3).
 */
export function loadConfig(env: Env, flags: Flags = {}): Config {
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const fromFlag = flags[name];
    const raw = fromFlag !== undefined ? String(fromFlag) : (env[setting.env] ?? setting.default);
    const result = setting.schema.safeParse(raw === '' && setting.default === undefined ? undefined : raw);
    if (!result.success) {
      const source = fromFlag !== undefined ? setting.flag : `${setting.env} (${setting.flag})`;
      const why = result.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(`invalid ${source} "${raw}": ${why}`);
    }
    out[name] = result.data;
  }
  return Object.freeze(out) as Config;
}

/** Test override: defaults suited to tests (in-memory database, free ports, no auth unless asked). */
export function testConfig(overrides: Flags = {}): Config {
  return loadConfig({}, { dataDir: 'memory', httpPort: 0, mllpPort: 0, logLevel: 'silent', ...overrides });
}
