// A comparable dump of every table, to prove that a batch of requests changed nothing.
import { sql, type Kysely } from 'kysely';

export async function snapshotTables(db: Kysely<any>, tables: readonly string[]): Promise<string> {
  const dump: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(db)).rows;
    dump[table] = rows.map((r) => JSON.stringify(r, Object.keys(r).sort())).sort();
  }
  return JSON.stringify(dump);
}
