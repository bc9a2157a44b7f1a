import type { ColumnType } from 'kysely';

/** The deployment's token signing key, kept in the database a real server shares with every process. */
export interface SigningKeyTable {
  kid: string;
  private_jwk: ColumnType<Record<string, unknown>, string, string>;
  created_at: ColumnType<Date, Date | string | undefined, never>;
}
