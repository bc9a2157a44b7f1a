import { Command } from 'commander';
import { createApp } from '../app.js';
import { createLogger } from '../logger.js';
import { addSettings, configFrom, SERVER_SETTINGS } from './options.js';

export function serveCommand(): Command {
  return addSettings(new Command('serve'), SERVER_SETTINGS)
    .description('migrate the database, then run the MLLP listener and the HTTP server until SIGTERM/SIGINT')
    .action(async (opts) => {
      const config = configFrom(opts);
      const logger = createLogger(config.logLevel);
      if (config.auth === 'off') logger.warn({}, 'authentication is OFF: every route is open; use only for local experiments');
      const app = await createApp(config, logger);
      const listening = await app.start();
      if (listening.mllp) process.stdout.write(`mllp listening on ${listening.mllp.host}:${listening.mllp.port}\n`);
      process.stdout.write(`http listening on http://${listening.http.host}:${listening.http.port}\n`);
      await new Promise<void>((resolve) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'stopping: draining connections');
          resolve();
        };
        process.once('SIGTERM', () => stop('SIGTERM'));
        process.once('SIGINT', () => stop('SIGINT'));
      });
      await app.stop();
      logger.info({}, 'stopped');
    });
}
