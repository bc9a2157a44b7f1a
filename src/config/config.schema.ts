import { z } from 'zod';

/**
 * Every setting of Sinew in one table: flag, environment variable, default and a zod schema.
 * INTERFACE.md's configuration table is the contract; flags override the environment.
 */
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();
const zone = z.string().refine(isTimeZone, 'expected an IANA time zone such as UTC or Europe/Berlin');

export const SETTINGS = {
  databaseUrl: {
    flag: '--database-url',
    env: 'DATABASE_URL',
    default: undefined,
    schema: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL').optional(),
  },
  dataDir: { flag: '--data-dir', env: 'SINEW_DATA_DIR', default: './.sinew', schema: z.string().min(1) },
  host: { flag: '--host', env: 'SINEW_HOST', default: '127.0.0.1', schema: z.string().min(1) },
  httpPort: { flag: '--http-port', env: 'SINEW_HTTP_PORT', default: '8080', schema: port },
  mllpPort: {
    flag: '--mllp-port',
    env: 'SINEW_MLLP_PORT',
    default: '2575',
    schema: z.union([z.literal('off'), port]),
  },
  tz: { flag: '--tz', env: 'SINEW_DEFAULT_TZ', default: 'UTC', schema: zone },
  facilityTz: {
    flag: '--facility-tz',
    env: 'SINEW_FACILITY_TZ',
    default: '',
    schema: z.string().transform(parseFacilityZones),
  },
  auth: { flag: '--auth', env: 'SINEW_AUTH', default: 'on', schema: z.enum(['on', 'off']) },
  worker: { flag: '--worker', env: 'SINEW_WORKER', default: 'on', schema: z.enum(['on', 'off']) },
  mllpTlsCert: { flag: '--mllp-tls-cert', env: 'SINEW_MLLP_TLS_CERT', default: undefined, schema: z.string().optional() },
  mllpTlsKey: { flag: '--mllp-tls-key', env: 'SINEW_MLLP_TLS_KEY', default: undefined, schema: z.string().optional() },
  mllpTlsCa: { flag: '--mllp-tls-ca', env: 'SINEW_MLLP_TLS_CA', default: undefined, schema: z.string().optional() },
  mllpMaxMessageBytes: {
    flag: '--mllp-max-message-bytes',
    env: 'SINEW_MLLP_MAX_MESSAGE_BYTES',
    default: String(32 * 1024 * 1024),
    schema: positiveInt,
  },
  mllpIdleTimeout: {
    flag: '--mllp-idle-timeout',
    env: 'SINEW_MLLP_IDLE_TIMEOUT',
    default: '300',
    schema: z.coerce.number().nonnegative(),
  },
  logLevel: {
    flag: '--log-level',
    env: 'SINEW_LOG_LEVEL',
    default: 'info',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
  },
} as const;

export type SettingName = keyof typeof SETTINGS;
export type Config = Readonly<{ [K in SettingName]: z.output<(typeof SETTINGS)[K]['schema']> }>;

function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** `NORTH=America/New_York,SOUTH=America/Chicago`: the zone of each sending facility (MSH-4). */
function parseFacilityZones(value: string, ctx: z.RefinementCtx): Record<string, string> {
  const zones: Record<string, string> = {};
  for (const pair of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [facility, tz] = pair.split('=').map((s) => s?.trim());
    if (!facility || !tz || !isTimeZone(tz)) {
      ctx.addIssue({ code: 'custom', message: `expected FACILITY=ZONE pairs, got "${pair}"` });
      return zones;
    }
    zones[facility] = tz;
  }
  return Object.freeze(zones) as Record<string, string>;
}
