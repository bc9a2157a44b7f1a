import { Command, Option } from 'commander';
import { sendFeed, simulateHospital, writeFeed } from '../simulate/index.js';
import { ConfigError } from '../config/load-config.js';

function positiveInt(flag: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`invalid ${flag} "${value}": expected a whole number`);
    return n;
  };
}

export function simulateCommand(): Command {
  return new Command('simulate')
    .description('write a realistic, deterministic hospital HL7v2 feed (DIR/feed.hl7 + DIR/truth.json), or send it over MLLP')
    .addOption(new Option('--patients <n>', 'number of people').default(50).argParser(positiveInt('--patients')))
    .addOption(new Option('--days <n>', 'days of activity').default(7).argParser(positiveInt('--days')))
    .addOption(new Option('--seed <n>', 'random seed: the same seed gives the same feed').default(1).argParser(positiveInt('--seed')))
    .option('--out <dir>', 'folder for feed.hl7 and truth.json')
    .option('--to <url>', 'send the feed to mllp://HOST:PORT instead of writing it')
    .addOption(new Option('--connections <n>', 'MLLP connections when sending').default(4).argParser(positiveInt('--connections')))
    .action(async (opts: { patients: number; days: number; seed: number; out?: string; to?: string; connections: number }) => {
      if (!opts.out && !opts.to) throw new ConfigError('simulate needs --out DIR or --to mllp://HOST:PORT');
      if (opts.to && !/^mllp:\/\/[^:/]+:\d+$/.test(opts.to)) throw new ConfigError(`invalid --to "${opts.to}": expected mllp://HOST:PORT`);
      const result = simulateHospital({ patients: opts.patients, days: opts.days, seed: opts.seed });
      if (opts.out) {
        const { feedPath, truthPath } = await writeFeed(result, opts.out);
        process.stdout.write(`wrote ${result.messages.length} messages to ${feedPath} and the truth to ${truthPath}\n`);
      }
      if (opts.to) {
        const { sent, acks } = await sendFeed(result.messages, opts.to, { connections: opts.connections });
        const summary = Object.entries(acks).map(([code, n]) => `${code} ${n}`).join(', ');
        process.stdout.write(`sent ${sent} messages to ${opts.to}: ${summary}\n`);
        if (sent !== result.messages.length || Object.keys(acks).some((c) => c !== 'AA' && c !== 'CA')) process.exitCode = 1;
      }
    });
}
