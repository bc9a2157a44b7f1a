import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './load-config.js';

describe('loadConfig', () => {
  it('applies INTERFACE.md defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ dataDir: './.sinew', host: '127.0.0.1', httpPort: 8080, mllpPort: 2575, tz: 'UTC', auth: 'on' });
    expect(c.databaseUrl).toBeUndefined();
    expect(Object.isFrozen(c)).toBe(true);
  });
  it('lets flags override the environment', () => {
    const c = loadConfig({ SINEW_HTTP_PORT: '9000', SINEW_MLLP_PORT: 'off' }, { httpPort: '0' });
    expect(c.httpPort).toBe(0);
    expect(c.mllpPort).toBe('off');
  });
  it.each([
    [{ httpPort: 'abc' }, 'invalid --http-port "abc"'],
    [{ mllpPort: '70000' }, 'invalid --mllp-port "70000"'],
    [{ tz: 'Mars/Olympus' }, 'invalid --tz "Mars/Olympus": expected an IANA time zone'],
    [{ auth: 'maybe' }, 'invalid --auth "maybe"'],
    [{ databaseUrl: 'mysql://x' }, 'invalid --database-url "mysql://x": expected a postgres:// URL'],
    [{ facilityTz: 'NORTH' }, 'invalid --facility-tz "NORTH": expected FACILITY=ZONE pairs'],
  ])('rejects %o with one line naming the flag', (flags, message) => {
    expect(() => loadConfig({}, flags)).toThrow(ConfigError);
    expect(() => loadConfig({}, flags)).toThrow(message);
  });
  it('names the environment variable when the bad value came from there', () => {
    expect(() => loadConfig({ SINEW_HTTP_PORT: '-1' })).toThrow('invalid SINEW_HTTP_PORT (--http-port) "-1"');
  });
  it('parses per-facility zones', () => {
    expect(loadConfig({}, { facilityTz: 'NORTH=America/New_York, SOUTH=Europe/Berlin' }).facilityTz).toEqual({
      NORTH: 'America/New_York',
      SOUTH: 'Europe/Berlin',
    });
  });
});
