import type { Kysely, Migration } from 'kysely';

const text = 'text' as const;

/**
 * What domains and projects need beyond 0001: domain tags, resource options (Keystone keeps
 * these in one project_option table because a domain is a project; ids never collide, so one
 * table serves both here too) and the database-stored domain-specific configuration.
 */
export const resources: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('domain_tag')
      .addColumn('domain_id', 'varchar(64)', (c) => c.notNull().references('domain.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('domain_tag_pk', ['domain_id', 'name'])
      .execute();
    await db.schema.createTable('resource_option')
      .addColumn('resource_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('option_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('option_value', text, (c) => c.notNull())
      .addPrimaryKeyConstraint('resource_option_pk', ['resource_id', 'option_name'])
      .execute();
    await db.schema.createTable('domain_config')
      .addColumn('domain_id', 'varchar(64)', (c) => c.notNull().references('domain.id').onDelete('cascade'))
      .addColumn('group_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('option_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('value', text, (c) => c.notNull())
      .addColumn('sensitive', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('domain_config_pk', ['domain_id', 'group_name', 'option_name'])
      .execute();
  },
  async down(): Promise<void> {
    throw new Error('identity migrations are forward-only');
  },
};
