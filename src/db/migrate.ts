// Each service keeps its own migration history (its own table), so services migrate independently.
import { Migrator, type Kysely, type Migration } from 'kysely';

export async function migrateToLatest(db: Kysely<any>, service: string, migrations: Record<string, Migration>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: `nimbus_${service}_migration`,
    migrationLockTableName: `nimbus_${service}_migration_lock`,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`${service} migration ${failed} failed: ${(error as Error).message}`);
  }
  return (results ?? []).map((r) => r.migrationName);
}
