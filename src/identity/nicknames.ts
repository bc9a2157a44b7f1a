import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { normalizeText } from './normalize.js';

/** Name → canonical names of every nickname group it belongs to ("AL" is in several). */
export type NicknameTable = ReadonlyMap<string, readonly string[]>;

const nicknameFileSchema = z.object({ groups: z.array(z.array(z.string().min(1)).min(2)) });

export function buildNicknameTable(groups: readonly (readonly string[])[]): NicknameTable {
  const table = new Map<string, string[]>();
  for (const group of groups) {
    const canonical = normalizeText(group[0]);
    for (const name of group) {
      const key = normalizeText(name);
      const list = table.get(key) ?? [];
      if (!list.includes(canonical)) list.push(canonical);
      table.set(key, list);
    }
  }
  return table;
}

/** Load `profiles/identity/nicknames.json`: `{ "groups": [["WILLIAM", "BILL", ...], ...] }`. */
export function loadNicknames(file: string): NicknameTable {
  const parsed = nicknameFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new Error(`${file}: ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`);
  }
  return buildNicknameTable(parsed.data.groups);
}

export function nicknameGroups(table: NicknameTable, name: string): string[] {
  return [...(table.get(name) ?? [])];
}
