import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import type { Db } from './database.js';

/** `db/migrations` beside `src`, both in the source tree and in `dist/`. */
export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../db/migrations');

/** Timestamped files, applied in name order (STYLE.md pattern 14); `.ts` under jest, `.js` once built. */
class FolderMigrationProvider implements MigrationProvider {
  constructor(private readonly dir: string) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const files = (await fs.readdir(this.dir)).filter((f) => /^\d.*\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'));
    const migrations: Record<string, Migration> = {};
    for (const file of files.sort()) {
      migrations[file.replace(/\.(js|ts)$/, '')] = (await import(pathToFileURL(path.join(this.dir, file)).href)) as Migration;
    }
    return migrations;
  }
}

export function createMigrator(db: Db): Migrator {
  return new Migrator({ db, provider: new FolderMigrationProvider(MIGRATIONS_DIR) });
}

/** Bring the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest(db: Db): Promise<MigrationResultSet> {
  const result = await createMigrator(db).migrateToLatest();
  if (result.error) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const why = result.error instanceof Error ? result.error.message : String(result.error);
    throw new Error(`migration ${failed} failed: ${why}`);
  }
  return result;
}

/** True when every migration on disk has been applied: what `/readyz` reports. */
export async function isSchemaCurrent(db: Db): Promise<boolean> {
  const migrations = await createMigrator(db).getMigrations();
  return migrations.every((m) => m.executedAt !== undefined);
}
