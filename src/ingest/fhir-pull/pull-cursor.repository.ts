import type { Db } from '../../db/database.js';

export interface PullCursor {
  since: string;
  inclusive: boolean;
}

/** The stored position for one upstream and type, if any run has read from it. */
export async function readPullCursor(db: Db, upstream: string, type: string): Promise<PullCursor | undefined> {
  const row = await db.selectFrom('fhir_pull_cursor').select(['since', 'inclusive']).where('upstream', '=', upstream).where('resource_type', '=', type).executeTakeFirst();
  return row ? { since: row.since, inclusive: row.inclusive } : undefined;
}

/** Records where a page left off (`pulled` adds up over runs). */
export async function savePullCursor(db: Db, upstream: string, type: string, cursor: PullCursor, pulled: number, at: Date): Promise<void> {
  await db
    .insertInto('fhir_pull_cursor')
    .values({ upstream, resource_type: type, since: cursor.since, inclusive: cursor.inclusive, pulled, updated_at: at })
    .onConflict((oc) =>
      oc.columns(['upstream', 'resource_type']).doUpdateSet((eb) => ({
        since: eb.ref('excluded.since'),
        inclusive: eb.ref('excluded.inclusive'),
        pulled: eb('fhir_pull_cursor.pulled', '+', eb.ref('excluded.pulled')),
        updated_at: eb.ref('excluded.updated_at'),
      })),
    )
    .execute();
}
