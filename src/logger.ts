import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs on stderr, so stdout stays for what commands print (the listening lines, a token, a
 * Bundle). Log objects carry ids, counts and sizes, never message contents or patient data.
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'sinew' } }, pino.destination(2));
}
