// The metadata definitions catalog, seeded with the resource types Glance registers.
import type { Kysely, Migration } from 'kysely';

const ts = 'varchar(40)' as const;

/** Glance's built-in resource types (glance-manage db load_metadefs registers these). */
export const SEEDED_RESOURCE_TYPES = [
  'OS::Glance::Image', 'OS::Cinder::Volume', 'OS::Nova::Flavor', 'OS::Nova::Aggregate', 'OS::Nova::Server',
  'OS::Trove::Instance', 'OS::Glance::Snapshot', 'OS::Cinder::Snapshot',
] as const;

export const metadefs: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('metadef_namespace')
      .addColumn('namespace', 'varchar(80)', (c) => c.primaryKey())
      .addColumn('display_name', 'varchar(80)')
      .addColumn('description', 'text')
      .addColumn('visibility', 'varchar(32)', (c) => c.notNull())
      .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('owner', 'varchar(255)')
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createTable('metadef_resource_type')
      .addColumn('name', 'varchar(80)', (c) => c.primaryKey())
      .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createTable('metadef_namespace_resource_type')
      .addColumn('namespace', 'varchar(80)', (c) => c.notNull().references('metadef_namespace.namespace').onDelete('cascade'))
      .addColumn('resource_type', 'varchar(80)', (c) => c.notNull().references('metadef_resource_type.name'))
      .addColumn('prefix', 'varchar(80)')
      .addColumn('properties_target', 'varchar(80)')
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addPrimaryKeyConstraint('metadef_ns_rt_pk', ['namespace', 'resource_type'])
      .execute();
    for (const table of ['metadef_object', 'metadef_property', 'metadef_tag'] as const) {
      let builder = db.schema.createTable(table)
        .addColumn('namespace', 'varchar(80)', (c) => c.notNull().references('metadef_namespace.namespace').onDelete('cascade'))
        .addColumn('name', table === 'metadef_tag' ? 'varchar(255)' : 'varchar(80)', (c) => c.notNull());
      if (table === 'metadef_object') {
        builder = builder.addColumn('description', 'text')
          .addColumn('required', 'text', (c) => c.notNull().defaultTo('[]'))
          .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'));
      }
      if (table === 'metadef_property') builder = builder.addColumn('body', 'text', (c) => c.notNull());
      await builder
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .addPrimaryKeyConstraint(`${table}_pk`, ['namespace', 'name'])
        .execute();
    }
    const now = new Date().toISOString();
    await db.insertInto('metadef_resource_type')
      .values(SEEDED_RESOURCE_TYPES.map((name) => ({ name, protected: 1, created_at: now, updated_at: now })))
      .execute();
  },
};
