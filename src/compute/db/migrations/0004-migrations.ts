// nova.migrations: one row per move of a server between hosts (resize, cold and live migration,
// evacuation). The row is also the Placement consumer that holds the source host's resources
// while the server is on both (Nova's migration-based allocations), and what confirm and revert
// read to undo or finish a resize.
import type { Kysely, Migration } from 'kysely';

const ts = 'varchar(40)' as const;
const uuid = 'varchar(36)' as const;

export const migrationsTable: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('nova_migration')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('uuid', uuid, (c) => c.notNull().unique())
      .addColumn('instance_uuid', uuid, (c) => c.notNull())
      .addColumn('migration_type', 'varchar(20)', (c) => c.notNull())
      .addColumn('status', 'varchar(255)', (c) => c.notNull())
      .addColumn('source_compute', 'varchar(255)')
      .addColumn('source_node', 'varchar(255)')
      .addColumn('source_node_uuid', uuid)
      .addColumn('dest_compute', 'varchar(255)')
      .addColumn('dest_node', 'varchar(255)')
      .addColumn('dest_node_uuid', uuid)
      .addColumn('dest_host', 'varchar(255)')
      .addColumn('old_instance_type_id', 'integer')
      .addColumn('new_instance_type_id', 'integer')
      .addColumn('old_flavor', 'text')
      .addColumn('new_flavor', 'text')
      .addColumn('user_id', 'varchar(255)')
      .addColumn('project_id', 'varchar(255)')
      .addColumn('request_id', 'varchar(255)')
      .addColumn('memory_total', 'bigint')
      .addColumn('memory_processed', 'bigint')
      .addColumn('memory_remaining', 'bigint')
      .addColumn('disk_total', 'bigint')
      .addColumn('disk_processed', 'bigint')
      .addColumn('disk_remaining', 'bigint')
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted_at', ts)
      .execute();
    await db.schema.createIndex('nova_migration_instance').on('nova_migration').columns(['instance_uuid', 'status']).execute();
    await db.schema.createIndex('nova_migration_status').on('nova_migration').columns(['status', 'updated_at']).execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('nova_migration').execute();
  },
};
