// What the compute API serves from the first step: flavors (with extra specs and access lists),
// key pairs and quotas (per project, per project user, per quota class).
import type { Kysely, Migration } from 'kysely';

const ts = 'varchar(40)' as const;

export const computeApi: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('nova_flavor')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('flavorid', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('memory_mb', 'integer', (c) => c.notNull())
      .addColumn('vcpus', 'integer', (c) => c.notNull())
      .addColumn('root_gb', 'integer', (c) => c.notNull())
      .addColumn('ephemeral_gb', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('swap', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rxtx_factor', 'double precision', (c) => c.notNull().defaultTo(1))
      .addColumn('vcpu_weight', 'integer')
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_public', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('description', 'text')
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema.createTable('nova_flavor_extra_spec')
      .addColumn('flavor_id', 'integer', (c) => c.notNull().references('nova_flavor.id').onDelete('cascade'))
      .addColumn('key', 'varchar(255)', (c) => c.notNull())
      .addColumn('value', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_flavor_extra_spec_pk', ['flavor_id', 'key'])
      .execute();

    await db.schema.createTable('nova_flavor_project')
      .addColumn('flavor_id', 'integer', (c) => c.notNull().references('nova_flavor.id').onDelete('cascade'))
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_flavor_project_pk', ['flavor_id', 'project_id'])
      .execute();
    await db.schema.createIndex('nova_flavor_project_project').on('nova_flavor_project').column('project_id').execute();

    await db.schema.createTable('nova_key_pair')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('fingerprint', 'varchar(255)', (c) => c.notNull())
      .addColumn('public_key', 'text', (c) => c.notNull())
      .addColumn('type', 'varchar(10)', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addUniqueConstraint('nova_key_pair_user_name', ['user_id', 'name'])
      .execute();

    await db.schema.createTable('nova_quota')
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('resource', 'varchar(255)', (c) => c.notNull())
      .addColumn('hard_limit', 'integer', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_quota_pk', ['project_id', 'user_id', 'resource'])
      .execute();

    await db.schema.createTable('nova_quota_class')
      .addColumn('class_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('resource', 'varchar(255)', (c) => c.notNull())
      .addColumn('hard_limit', 'integer', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_quota_class_pk', ['class_name', 'resource'])
      .execute();
  },
};
