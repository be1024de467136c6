// First draft of the tables servers need: instances and what hangs off them (metadata, tags,
// faults, actions and events, block devices, network info cache, request specs), and the
// services that run them (services, compute nodes, aggregates, server groups). No API serves
// them yet; the next steps (servers, conductor, scheduler, compute agent) build on them.
import type { Kysely, Migration } from 'kysely';

const ts = 'varchar(40)' as const;
const uuid = 'varchar(36)' as const;

export const serversDraft: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('nova_instance')
      .addColumn('uuid', uuid, (c) => c.primaryKey())
      .addColumn('id', 'integer', (c) => c.notNull().unique())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('display_name', 'varchar(255)', (c) => c.notNull())
      .addColumn('display_description', 'text')
      .addColumn('hostname', 'varchar(255)', (c) => c.notNull())
      .addColumn('vm_state', 'varchar(255)', (c) => c.notNull())
      .addColumn('task_state', 'varchar(255)')
      .addColumn('power_state', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('host', 'varchar(255)')
      .addColumn('node', 'varchar(255)')
      .addColumn('compute_node_uuid', uuid)
      .addColumn('availability_zone', 'varchar(255)')
      .addColumn('requested_availability_zone', 'varchar(255)')
      .addColumn('flavor', 'text', (c) => c.notNull())
      .addColumn('vcpus', 'integer', (c) => c.notNull())
      .addColumn('memory_mb', 'integer', (c) => c.notNull())
      .addColumn('root_gb', 'integer', (c) => c.notNull())
      .addColumn('ephemeral_gb', 'integer', (c) => c.notNull())
      .addColumn('image_ref', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('key_name', 'varchar(255)')
      .addColumn('key_data', 'text')
      .addColumn('user_data', 'text')
      .addColumn('config_drive', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('access_ip_v4', 'varchar(39)')
      .addColumn('access_ip_v6', 'varchar(39)')
      .addColumn('locked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('locked_by', 'varchar(255)')
      .addColumn('locked_reason', 'varchar(255)')
      .addColumn('reservation_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('launch_index', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('root_device_name', 'varchar(255)')
      .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('system_metadata', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addColumn('scheduled_at', ts)
      .addColumn('launched_at', ts)
      .addColumn('terminated_at', ts)
      .addColumn('deleted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('deleted_at', ts)
      .execute();
    await db.schema.createIndex('nova_instance_project').on('nova_instance').columns(['project_id', 'deleted']).execute();
    await db.schema.createIndex('nova_instance_host').on('nova_instance').columns(['host', 'deleted']).execute();
    await db.schema.createIndex('nova_instance_created').on('nova_instance').columns(['created_at', 'id']).execute();
    await db.schema.createIndex('nova_instance_reservation').on('nova_instance').column('reservation_id').execute();

    await db.schema.createTable('nova_instance_metadata')
      .addColumn('instance_uuid', uuid, (c) => c.notNull().references('nova_instance.uuid').onDelete('cascade'))
      .addColumn('key', 'varchar(255)', (c) => c.notNull())
      .addColumn('value', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_instance_metadata_pk', ['instance_uuid', 'key'])
      .execute();

    await db.schema.createTable('nova_instance_info_cache')
      .addColumn('instance_uuid', uuid, (c) => c.primaryKey().references('nova_instance.uuid').onDelete('cascade'))
      .addColumn('network_info', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema.createTable('nova_instance_tag')
      .addColumn('instance_uuid', uuid, (c) => c.notNull().references('nova_instance.uuid').onDelete('cascade'))
      .addColumn('tag', 'varchar(80)', (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_instance_tag_pk', ['instance_uuid', 'tag'])
      .execute();
    await db.schema.createIndex('nova_instance_tag_tag').on('nova_instance_tag').column('tag').execute();

    await db.schema.createTable('nova_instance_fault')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('instance_uuid', uuid, (c) => c.notNull().references('nova_instance.uuid').onDelete('cascade'))
      .addColumn('code', 'integer', (c) => c.notNull())
      .addColumn('message', 'varchar(255)', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('host', 'varchar(255)')
      .addColumn('created_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('nova_instance_fault_instance').on('nova_instance_fault').columns(['instance_uuid', 'id']).execute();

    await db.schema.createTable('nova_instance_action')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('action', 'varchar(255)', (c) => c.notNull())
      .addColumn('instance_uuid', uuid, (c) => c.notNull().references('nova_instance.uuid').onDelete('cascade'))
      .addColumn('request_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('start_time', ts, (c) => c.notNull())
      .addColumn('finish_time', ts)
      .addColumn('message', 'varchar(255)')
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('nova_instance_action_instance').on('nova_instance_action').columns(['instance_uuid', 'request_id']).execute();

    await db.schema.createTable('nova_instance_action_event')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('action_id', 'integer', (c) => c.notNull().references('nova_instance_action.id').onDelete('cascade'))
      .addColumn('event', 'varchar(255)', (c) => c.notNull())
      .addColumn('result', 'varchar(255)')
      .addColumn('traceback', 'text')
      .addColumn('start_time', ts, (c) => c.notNull())
      .addColumn('finish_time', ts)
      .addColumn('host', 'varchar(255)')
      .addColumn('details', 'text')
      .execute();
    await db.schema.createIndex('nova_instance_action_event_action').on('nova_instance_action_event').column('action_id').execute();

    await db.schema.createTable('nova_request_spec')
      .addColumn('instance_uuid', uuid, (c) => c.primaryKey().references('nova_instance.uuid').onDelete('cascade'))
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema.createTable('nova_block_device_mapping')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('uuid', uuid, (c) => c.notNull().unique())
      .addColumn('instance_uuid', uuid, (c) => c.notNull().references('nova_instance.uuid').onDelete('cascade'))
      .addColumn('source_type', 'varchar(255)', (c) => c.notNull())
      .addColumn('destination_type', 'varchar(255)', (c) => c.notNull())
      .addColumn('guest_format', 'varchar(255)')
      .addColumn('device_type', 'varchar(255)')
      .addColumn('disk_bus', 'varchar(255)')
      .addColumn('boot_index', 'integer')
      .addColumn('device_name', 'varchar(255)')
      .addColumn('delete_on_termination', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('snapshot_id', uuid)
      .addColumn('volume_id', uuid)
      .addColumn('volume_size', 'integer')
      .addColumn('image_id', 'varchar(36)')
      .addColumn('no_device', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('connection_info', 'text')
      .addColumn('tag', 'varchar(255)')
      .addColumn('attachment_id', uuid)
      .addColumn('volume_type', 'varchar(255)')
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('nova_bdm_instance').on('nova_block_device_mapping').column('instance_uuid').execute();

    await db.schema.createTable('nova_service')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('uuid', uuid, (c) => c.notNull().unique())
      .addColumn('host', 'varchar(255)', (c) => c.notNull())
      .addColumn('binary', 'varchar(255)', (c) => c.notNull())
      .addColumn('topic', 'varchar(255)')
      .addColumn('report_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('disabled_reason', 'varchar(255)')
      .addColumn('forced_down', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_seen_up', ts)
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addUniqueConstraint('nova_service_host_binary', ['host', 'binary'])
      .execute();

    await db.schema.createTable('nova_compute_node')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('uuid', uuid, (c) => c.notNull().unique())
      .addColumn('service_id', 'integer', (c) => c.references('nova_service.id').onDelete('set null'))
      .addColumn('host', 'varchar(255)', (c) => c.notNull())
      .addColumn('hypervisor_hostname', 'varchar(255)', (c) => c.notNull())
      .addColumn('hypervisor_type', 'varchar(255)', (c) => c.notNull())
      .addColumn('hypervisor_version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('vcpus', 'integer', (c) => c.notNull())
      .addColumn('memory_mb', 'integer', (c) => c.notNull())
      .addColumn('local_gb', 'integer', (c) => c.notNull())
      .addColumn('vcpus_used', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('memory_mb_used', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('local_gb_used', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('free_ram_mb', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('free_disk_gb', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('running_vms', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('disk_available_least', 'integer')
      .addColumn('cpu_info', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('host_ip', 'varchar(39)')
      .addColumn('cpu_allocation_ratio', 'double precision', (c) => c.notNull().defaultTo(4))
      .addColumn('ram_allocation_ratio', 'double precision', (c) => c.notNull().defaultTo(1))
      .addColumn('disk_allocation_ratio', 'double precision', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .addUniqueConstraint('nova_compute_node_host_node', ['host', 'hypervisor_hostname'])
      .execute();

    await db.schema.createTable('nova_aggregate')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('uuid', uuid, (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();

    await db.schema.createTable('nova_aggregate_host')
      .addColumn('aggregate_id', 'integer', (c) => c.notNull().references('nova_aggregate.id').onDelete('cascade'))
      .addColumn('host', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_aggregate_host_pk', ['aggregate_id', 'host'])
      .execute();
    await db.schema.createIndex('nova_aggregate_host_host').on('nova_aggregate_host').column('host').execute();

    await db.schema.createTable('nova_aggregate_metadata')
      .addColumn('aggregate_id', 'integer', (c) => c.notNull().references('nova_aggregate.id').onDelete('cascade'))
      .addColumn('key', 'varchar(255)', (c) => c.notNull())
      .addColumn('value', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_aggregate_metadata_pk', ['aggregate_id', 'key'])
      .execute();

    await db.schema.createTable('nova_server_group')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('uuid', uuid, (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('policy', 'varchar(255)', (c) => c.notNull())
      .addColumn('rules', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('updated_at', ts, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('nova_server_group_project').on('nova_server_group').column('project_id').execute();

    await db.schema.createTable('nova_server_group_member')
      .addColumn('group_id', 'integer', (c) => c.notNull().references('nova_server_group.id').onDelete('cascade'))
      .addColumn('instance_uuid', uuid, (c) => c.notNull())
      .addPrimaryKeyConstraint('nova_server_group_member_pk', ['group_id', 'instance_uuid'])
      .execute();
    await db.schema.createIndex('nova_server_group_member_instance').on('nova_server_group_member').column('instance_uuid').execute();
  },
};
