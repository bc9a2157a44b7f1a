import { existsSync, readFileSync } from 'node:fs';

/** One message structure as a simplified grammar (see mappings/hl7v2/structures.json `$comment`). */
export interface StructureRule {
  title: string;
  /** Segment → minimum count. */
  required: Record<string, number>;
  /** First occurrences of these segments, when present, appear in this order. */
  order: string[];
  /** Segments that may occur at most once. */
  single?: string[];
  /** Segment → segments one of which must occur earlier (OBX after OBR). */
  after?: Record<string, string[]>;
}

export interface StructureTable {
  versions: string[];
  /** `CODE_TRIGGER` (or `CODE` for ACK) → structure id, HL7 table 0354. */
  aliases: Record<string, string>;
  /** Version → alias overrides for versions whose table 0354 differs. */
  versionAliases: Record<string, Record<string, string>>;
  structures: Record<string, StructureRule>;
}

const FILE = 'mappings/hl7v2/structures.json';

/**
 * Loaded once at import: it is data shipped with the code, not configuration. Read from the
 * repository root above this file both from `src/` (tests) and `dist/src/` (build), since tsc
 * does not copy JSON that is not imported.
 */
export const STRUCTURE_TABLE: Readonly<StructureTable> = Object.freeze(load());

function load(): StructureTable {
  for (const up of ['../../../', '../../../../']) {
    const url = new URL(up + FILE, import.meta.url);
    if (existsSync(url)) return JSON.parse(readFileSync(url, 'utf8')) as StructureTable;
  }
  throw new Error(`${FILE} not found above ${import.meta.url}`);
}

/** The structure id for a message type, from MSH-9.3 when sent, else table 0354 for the version. */
export function structureFor(code: string, trigger: string, version: string): string {
  const key = trigger ? `${code}_${trigger}` : code;
  const override = STRUCTURE_TABLE.versionAliases[version]?.[key];
  return override ?? STRUCTURE_TABLE.aliases[key] ?? STRUCTURE_TABLE.aliases[code] ?? (code && trigger ? key : code);
}
