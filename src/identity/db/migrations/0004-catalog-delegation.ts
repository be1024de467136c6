import type { Kysely, Migration } from 'kysely';

const text = 'text' as const;

/**
 * What the catalog extensions and delegation APIs need beyond 0001: OS-EP-FILTER endpoint groups
 * and project associations, the deprecated policy blob store, OAuth1 consumers, and trusts.
 */
export const catalogDelegation: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('endpoint_group')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('description', text)
      .addColumn('filters', text, (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createTable('project_endpoint')
      .addColumn('endpoint_id', 'varchar(64)', (c) => c.notNull().references('endpoint.id').onDelete('cascade'))
      .addColumn('project_id', 'varchar(64)', (c) => c.notNull().references('project.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('project_endpoint_pk', ['endpoint_id', 'project_id'])
      .execute();
    await db.schema.createTable('project_endpoint_group')
      .addColumn('endpoint_group_id', 'varchar(64)', (c) => c.notNull().references('endpoint_group.id').onDelete('cascade'))
      .addColumn('project_id', 'varchar(64)', (c) => c.notNull().references('project.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('project_endpoint_group_pk', ['endpoint_group_id', 'project_id'])
      .execute();
    await db.schema.createTable('policy')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('type', 'varchar(255)', (c) => c.notNull())
      .addColumn('blob', text, (c) => c.notNull())
      .addColumn('extra', text, (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createTable('oauth_consumer')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('description', text)
      .addColumn('secret', 'varchar(64)', (c) => c.notNull())
      .addColumn('extra', text, (c) => c.notNull().defaultTo('{}'))
      .execute();
    await db.schema.createTable('trust')
      .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
      .addColumn('trustor_user_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('trustee_user_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('project_id', 'varchar(64)')
      .addColumn('impersonation', 'integer', (c) => c.notNull())
      .addColumn('expires_at', 'varchar(40)')
      .addColumn('remaining_uses', 'integer')
      .addColumn('redelegated_trust_id', 'varchar(64)')
      .addColumn('redelegation_count', 'integer')
      .addColumn('extra', text, (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', 'varchar(40)', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('trust_trustor').on('trust').column('trustor_user_id').execute();
    await db.schema.createIndex('trust_trustee').on('trust').column('trustee_user_id').execute();
    await db.schema.createTable('trust_role')
      .addColumn('trust_id', 'varchar(64)', (c) => c.notNull().references('trust.id').onDelete('cascade'))
      .addColumn('role_id', 'varchar(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('trust_role_pk', ['trust_id', 'role_id'])
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('identity migrations are forward-only');
  },
};
