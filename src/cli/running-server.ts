import fs from 'node:fs';
import path from 'node:path';
import { isAlive } from '../db/data-dir-lock.js';

/**
 * PGlite admits one process: while `sinew serve` holds a data folder, other commands talk to it
 * over HTTP instead. `serve` leaves `server.json` (pid + URL) in the folder for them.
 */
export function findRunningServer(dataDir: string): { pid: number; http: string } | undefined {
  if (dataDir === 'memory') return undefined;
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, 'server.json'), 'utf8')) as { pid: number; http: string };
    return info.pid !== process.pid && isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}
