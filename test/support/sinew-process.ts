import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface SinewProcess {
  child: ChildProcess;
  mllp: { host: string; port: number };
  http: string;
  stderr: () => string;
}

/** Runs the built CLI (`npm test` builds it first) as a real process, and waits for its listening lines. */
export function startSinew(args: string[], env: NodeJS.ProcessEnv = {}): Promise<SinewProcess> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/sinew.js'), 'serve', '--http-port', '0', '--mllp-port', '0', ...args], {
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`sinew did not start in 60 s:\n${err}`)), 60_000);
    child.once('exit', (code) => reject(new Error(`sinew exited with ${code}:\n${err}`)));
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const mllp = /mllp listening on ([\d.]+):(\d+)/.exec(out);
      const http = /http listening on (http:\/\/\S+)/.exec(out);
      if (mllp && http) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ child, mllp: { host: mllp[1] as string, port: Number(mllp[2]) }, http: http[1] as string, stderr: () => err });
      }
    });
  });
}

export function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
