// Placement's model: resource classes, traits, providers (a forest: parent and root), their
// inventories, traits and aggregates, consumers and their allocations. Unique constraints are
// the race guards (a name, a uuid, an id); foreign keys keep a provider with children or
// allocations, and a class or trait in use, from being deleted underneath a concurrent writer.
import type { Kysely, Migration } from 'kysely';

const ts = 'varchar(40)' as const;
const uuid = 'varchar(36)' as const;

export const placement: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('plc_resource_class')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema.createTable('plc_trait')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema.createTable('plc_provider')
      .addColumn('uuid', uuid, (c) => c.primaryKey())
      .addColumn('id', 'integer', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(200)', (c) => c.notNull().unique())
      .addColumn('generation', 'integer', (c) => c.notNull())
      .addColumn('parent_uuid', uuid, (c) => c.references('plc_provider.uuid'))
      .addColumn('root_uuid', uuid, (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('plc_provider_parent').on('plc_provider').column('parent_uuid').execute();
    await db.schema.createIndex('plc_provider_root').on('plc_provider').column('root_uuid').execute();

    await db.schema.createTable('plc_inventory')
      .addColumn('provider_uuid', uuid, (c) => c.notNull().references('plc_provider.uuid').onDelete('cascade'))
      .addColumn('resource_class_id', 'integer', (c) => c.notNull().references('plc_resource_class.id'))
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('reserved', 'integer', (c) => c.notNull())
      .addColumn('min_unit', 'integer', (c) => c.notNull())
      .addColumn('max_unit', 'integer', (c) => c.notNull())
      .addColumn('step_size', 'integer', (c) => c.notNull())
      .addColumn('allocation_ratio', 'double precision', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addPrimaryKeyConstraint('plc_inventory_pk', ['provider_uuid', 'resource_class_id'])
      .execute();
    await db.schema.createIndex('plc_inventory_class').on('plc_inventory').column('resource_class_id').execute();

    await db.schema.createTable('plc_provider_aggregate')
      .addColumn('provider_uuid', uuid, (c) => c.notNull().references('plc_provider.uuid').onDelete('cascade'))
      .addColumn('aggregate_uuid', uuid, (c) => c.notNull())
      .addPrimaryKeyConstraint('plc_provider_aggregate_pk', ['provider_uuid', 'aggregate_uuid'])
      .execute();
    await db.schema.createIndex('plc_provider_aggregate_agg').on('plc_provider_aggregate').column('aggregate_uuid').execute();

    await db.schema.createTable('plc_provider_trait')
      .addColumn('provider_uuid', uuid, (c) => c.notNull().references('plc_provider.uuid').onDelete('cascade'))
      .addColumn('trait_id', 'integer', (c) => c.notNull().references('plc_trait.id'))
      .addPrimaryKeyConstraint('plc_provider_trait_pk', ['provider_uuid', 'trait_id'])
      .execute();
    await db.schema.createIndex('plc_provider_trait_trait').on('plc_provider_trait').column('trait_id').execute();

    await db.schema.createTable('plc_consumer')
      .addColumn('uuid', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('consumer_type', 'varchar(255)')
      .addColumn('generation', 'integer', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('plc_consumer_project').on('plc_consumer').columns(['project_id', 'user_id']).execute();

    await db.schema.createTable('plc_allocation')
      .addColumn('consumer_uuid', uuid, (c) => c.notNull().references('plc_consumer.uuid').onDelete('cascade'))
      .addColumn('provider_uuid', uuid, (c) => c.notNull().references('plc_provider.uuid'))
      .addColumn('resource_class_id', 'integer', (c) => c.notNull().references('plc_resource_class.id'))
      .addColumn('used', 'integer', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addPrimaryKeyConstraint('plc_allocation_pk', ['consumer_uuid', 'provider_uuid', 'resource_class_id'])
      .execute();
    await db.schema.createIndex('plc_allocation_provider').on('plc_allocation').columns(['provider_uuid', 'resource_class_id']).execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    for (const table of ['plc_allocation', 'plc_consumer', 'plc_provider_trait', 'plc_provider_aggregate', 'plc_inventory', 'plc_provider', 'plc_trait', 'plc_resource_class']) {
      await db.schema.dropTable(table).execute();
    }
  },
};
