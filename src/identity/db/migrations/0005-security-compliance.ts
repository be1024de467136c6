import type { Kysely, Migration } from 'kysely';

/** Failed-login counting for account lockout (Keystone's security_compliance). */
export const securityCompliance: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('identity_user').addColumn('failed_auth_count', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db.schema.alterTable('identity_user').addColumn('failed_auth_at', 'varchar(40)').execute();
  },
  async down(): Promise<void> {
    throw new Error('identity migrations are forward-only');
  },
};
