import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/** The machine a figure came from: printed with every benchmark so the README can cite it. */
export async function machine(databaseUrl?: string): Promise<string> {
  const cpu = os.cpus();
  let pgVersion = '';
  if (databaseUrl) {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    pgVersion = (await c.query('SHOW server_version')).rows[0].server_version;
    await c.end();
  }
  return `${cpu.length} × ${cpu[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}${pgVersion ? `, PostgreSQL ${pgVersion}` : ''}`;
}

/** Median time of write(8 KiB) + fdatasync in the temp folder: the floor under any durable commit. */
export function fsyncMillis(rounds = 200): number {
  const file = path.join(os.tmpdir(), `sinew-fsync-${process.pid}`);
  const fd = fs.openSync(file, 'w');
  const block = Buffer.alloc(8192, 1);
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t = process.hrtime.bigint();
    fs.writeSync(fd, block, 0, block.length, (i % 16) * 8192);
    fs.fdatasyncSync(fd);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  fs.closeSync(fd);
  fs.rmSync(file);
  return percentile(times, 50);
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** A fresh database on the benchmark server, dropped afterwards. */
export async function freshDatabase(serverUrl: string, name: string): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
