// Neutron's logical model: networks, segments, subnets, pools, ports, security groups, routers,
// floating IPs, RBAC, tags, quotas and agents. Primary keys and unique constraints are the
// concurrency guards (see schema.ts); foreign keys keep children from outliving their parents.
import type { CreateTableBuilder, Kysely, Migration } from 'kysely';

const ts = 'varchar(40)' as const;
const uuid = 'varchar(36)' as const;

/** Neutron's standard attributes on every top-level resource. */
function standard<T extends string>(t: CreateTableBuilder<T>): CreateTableBuilder<T> {
  return t
    .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', ts, (c) => c.notNull())
    .addColumn('updated_at', ts, (c) => c.notNull())
    .addColumn('revision_number', 'integer', (c) => c.notNull().defaultTo(0));
}

export const network: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await standard(db.schema.createTable('net_network')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('admin_state_up', 'integer', (c) => c.notNull())
      .addColumn('is_external', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('mtu', 'integer', (c) => c.notNull())
      .addColumn('port_security_enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('availability_zone_hints', 'varchar(255)', (c) => c.notNull().defaultTo('[]'))
      .addColumn('dns_domain', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('vlan_transparent', 'integer'))
      .execute();
    await db.schema.createIndex('net_network_project').on('net_network').column('project_id').execute();

    await standard(db.schema.createTable('net_segment')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('network_id', uuid, (c) => c.notNull().references('net_network.id').onDelete('cascade'))
      .addColumn('name', 'varchar(255)')
      .addColumn('network_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('physical_network', 'varchar(64)')
      .addColumn('segmentation_id', 'integer')
      .addColumn('segment_index', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_dynamic', 'integer', (c) => c.notNull().defaultTo(0)))
      .execute();
    await db.schema.createIndex('net_segment_network').on('net_segment').column('network_id').execute();

    await db.schema.createTable('net_segment_allocation')
      .addColumn('network_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('physical_network', 'varchar(64)', (c) => c.notNull())
      .addColumn('segmentation_id', 'integer', (c) => c.notNull())
      .addColumn('segment_id', uuid, (c) => c.notNull().references('net_segment.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('net_segment_allocation_pk', ['network_type', 'physical_network', 'segmentation_id'])
      .execute();

    await standard(db.schema.createTable('net_address_scope')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('ip_version', 'integer', (c) => c.notNull())
      .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0)))
      .execute();

    await standard(db.schema.createTable('net_subnetpool')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('ip_version', 'integer', (c) => c.notNull())
      .addColumn('default_prefixlen', 'integer', (c) => c.notNull())
      .addColumn('min_prefixlen', 'integer', (c) => c.notNull())
      .addColumn('max_prefixlen', 'integer', (c) => c.notNull())
      .addColumn('shared', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('default_quota', 'integer')
      .addColumn('address_scope_id', uuid, (c) => c.references('net_address_scope.id')))
      .execute();
    await db.schema.createTable('net_subnetpool_prefix')
      .addColumn('subnetpool_id', uuid, (c) => c.notNull().references('net_subnetpool.id').onDelete('cascade'))
      .addColumn('cidr', 'varchar(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_subnetpool_prefix_pk', ['subnetpool_id', 'cidr'])
      .execute();

    await standard(db.schema.createTable('net_subnet')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('network_id', uuid, (c) => c.notNull().references('net_network.id'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('ip_version', 'integer', (c) => c.notNull())
      .addColumn('cidr', 'varchar(64)', (c) => c.notNull())
      .addColumn('gateway_ip', 'varchar(64)')
      .addColumn('enable_dhcp', 'integer', (c) => c.notNull())
      .addColumn('ipv6_ra_mode', 'varchar(20)')
      .addColumn('ipv6_address_mode', 'varchar(20)')
      .addColumn('subnetpool_id', uuid, (c) => c.references('net_subnetpool.id'))
      .addColumn('segment_id', uuid, (c) => c.references('net_segment.id'))
      .addColumn('dns_publish_fixed_ip', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_seq', 'varchar(32)', (c) => c.notNull().defaultTo('')))
      .execute();
    await db.schema.createIndex('net_subnet_network').on('net_subnet').column('network_id').execute();
    await db.schema.createIndex('net_subnet_pool').on('net_subnet').column('subnetpool_id').execute();
    await db.schema.createTable('net_subnet_pool_range')
      .addColumn('subnet_id', uuid, (c) => c.notNull().references('net_subnet.id').onDelete('cascade'))
      .addColumn('first_ip', 'varchar(64)', (c) => c.notNull())
      .addColumn('last_ip', 'varchar(64)', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_subnet_pool_range_pk', ['subnet_id', 'first_ip'])
      .execute();
    await db.schema.createTable('net_subnet_dns')
      .addColumn('subnet_id', uuid, (c) => c.notNull().references('net_subnet.id').onDelete('cascade'))
      .addColumn('address', 'varchar(128)', (c) => c.notNull())
      .addColumn('position', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_subnet_dns_pk', ['subnet_id', 'address'])
      .execute();
    await db.schema.createTable('net_subnet_route')
      .addColumn('subnet_id', uuid, (c) => c.notNull().references('net_subnet.id').onDelete('cascade'))
      .addColumn('destination', 'varchar(64)', (c) => c.notNull())
      .addColumn('nexthop', 'varchar(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_subnet_route_pk', ['subnet_id', 'destination', 'nexthop'])
      .execute();
    await db.schema.createTable('net_subnet_service_type')
      .addColumn('subnet_id', uuid, (c) => c.notNull().references('net_subnet.id').onDelete('cascade'))
      .addColumn('service_type', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_subnet_service_type_pk', ['subnet_id', 'service_type'])
      .execute();

    await standard(db.schema.createTable('net_port')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('network_id', uuid, (c) => c.notNull().references('net_network.id'))
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('mac_address', 'varchar(32)', (c) => c.notNull())
      .addColumn('admin_state_up', 'integer', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('device_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('device_owner', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('port_security_enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('ip_allocation', 'varchar(16)', (c) => c.notNull().defaultTo('immediate'))
      .addColumn('dns_name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('binding_host_id', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('binding_vnic_type', 'varchar(64)', (c) => c.notNull().defaultTo('normal'))
      .addColumn('binding_profile', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('binding_vif_type', 'varchar(64)', (c) => c.notNull().defaultTo('unbound'))
      .addColumn('binding_vif_details', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('propagate_uplink_status', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('net_port_network_mac', ['network_id', 'mac_address']))
      .execute();
    await db.schema.createIndex('net_port_project').on('net_port').column('project_id').execute();
    await db.schema.createIndex('net_port_device').on('net_port').column('device_id').execute();
    await db.schema.createIndex('net_port_host').on('net_port').column('binding_host_id').execute();

    await db.schema.createTable('net_ip_allocation')
      .addColumn('port_id', uuid, (c) => c.notNull().references('net_port.id').onDelete('cascade'))
      .addColumn('subnet_id', uuid, (c) => c.notNull().references('net_subnet.id'))
      .addColumn('network_id', uuid, (c) => c.notNull())
      .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_ip_allocation_pk', ['subnet_id', 'ip_address'])
      .execute();
    await db.schema.createIndex('net_ip_allocation_port').on('net_ip_allocation').column('port_id').execute();
    await db.schema.createTable('net_port_address_pair')
      .addColumn('port_id', uuid, (c) => c.notNull().references('net_port.id').onDelete('cascade'))
      .addColumn('ip_address', 'varchar(64)', (c) => c.notNull())
      .addColumn('mac_address', 'varchar(32)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_port_address_pair_pk', ['port_id', 'ip_address', 'mac_address'])
      .execute();
    await db.schema.createTable('net_port_dhcp_option')
      .addColumn('port_id', uuid, (c) => c.notNull().references('net_port.id').onDelete('cascade'))
      .addColumn('opt_name', 'varchar(64)', (c) => c.notNull())
      .addColumn('opt_value', 'varchar(255)', (c) => c.notNull())
      .addColumn('ip_version', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_port_dhcp_option_pk', ['port_id', 'opt_name', 'ip_version'])
      .execute();

    await standard(db.schema.createTable('net_security_group')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('stateful', 'integer', (c) => c.notNull().defaultTo(1)))
      .execute();
    await db.schema.createIndex('net_security_group_project').on('net_security_group').column('project_id').execute();
    await db.schema.createTable('net_default_security_group')
      .addColumn('project_id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('security_group_id', uuid, (c) => c.notNull().references('net_security_group.id').onDelete('cascade'))
      .execute();
    await db.schema.createTable('net_port_security_group')
      .addColumn('port_id', uuid, (c) => c.notNull().references('net_port.id').onDelete('cascade'))
      .addColumn('security_group_id', uuid, (c) => c.notNull().references('net_security_group.id'))
      .addPrimaryKeyConstraint('net_port_security_group_pk', ['port_id', 'security_group_id'])
      .execute();
    await db.schema.createIndex('net_port_security_group_sg').on('net_port_security_group').column('security_group_id').execute();

    await standard(db.schema.createTable('net_address_group')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo('')))
      .execute();
    await db.schema.createTable('net_address_group_address')
      .addColumn('address_group_id', uuid, (c) => c.notNull().references('net_address_group.id').onDelete('cascade'))
      .addColumn('address', 'varchar(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_address_group_address_pk', ['address_group_id', 'address'])
      .execute();

    await standard(db.schema.createTable('net_security_group_rule')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('security_group_id', uuid, (c) => c.notNull().references('net_security_group.id').onDelete('cascade'))
      .addColumn('direction', 'varchar(8)', (c) => c.notNull())
      .addColumn('ethertype', 'varchar(8)', (c) => c.notNull())
      .addColumn('protocol', 'varchar(40)')
      .addColumn('port_range_min', 'integer')
      .addColumn('port_range_max', 'integer')
      .addColumn('remote_ip_prefix', 'varchar(64)')
      .addColumn('remote_group_id', uuid, (c) => c.references('net_security_group.id').onDelete('cascade'))
      .addColumn('remote_address_group_id', uuid, (c) => c.references('net_address_group.id'))
      .addColumn('normalized_cidr', 'varchar(64)'))
      .execute();
    await db.schema.createIndex('net_security_group_rule_sg').on('net_security_group_rule').column('security_group_id').execute();

    await standard(db.schema.createTable('net_router')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('admin_state_up', 'integer', (c) => c.notNull())
      .addColumn('gw_port_id', uuid, (c) => c.references('net_port.id'))
      .addColumn('enable_snat', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('distributed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('ha', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('flavor_id', uuid)
      .addColumn('availability_zone_hints', 'varchar(255)', (c) => c.notNull().defaultTo('[]'))
      .addColumn('enable_ndp_proxy', 'integer'))
      .execute();
    await db.schema.createTable('net_router_port')
      .addColumn('router_id', uuid, (c) => c.notNull().references('net_router.id').onDelete('cascade'))
      .addColumn('port_id', uuid, (c) => c.notNull().references('net_port.id').onDelete('cascade'))
      .addColumn('port_type', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_router_port_pk', ['router_id', 'port_id'])
      .execute();
    await db.schema.createIndex('net_router_port_port').on('net_router_port').column('port_id').execute();
    await db.schema.createTable('net_router_route')
      .addColumn('router_id', uuid, (c) => c.notNull().references('net_router.id').onDelete('cascade'))
      .addColumn('destination', 'varchar(64)', (c) => c.notNull())
      .addColumn('nexthop', 'varchar(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_router_route_pk', ['router_id', 'destination', 'nexthop'])
      .execute();

    await standard(db.schema.createTable('net_floating_ip')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('floating_network_id', uuid, (c) => c.notNull().references('net_network.id'))
      .addColumn('floating_port_id', uuid, (c) => c.notNull().references('net_port.id'))
      .addColumn('floating_ip_address', 'varchar(64)', (c) => c.notNull())
      .addColumn('fixed_port_id', uuid, (c) => c.references('net_port.id'))
      .addColumn('fixed_ip_address', 'varchar(64)')
      .addColumn('router_id', uuid, (c) => c.references('net_router.id'))
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('dns_name', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('dns_domain', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addColumn('qos_policy_id', uuid)
      // One association per fixed address: two floating IPs racing for it cannot both win.
      .addUniqueConstraint('net_floating_ip_fixed', ['fixed_port_id', 'fixed_ip_address', 'floating_network_id']))
      .execute();
    await db.schema.createIndex('net_floating_ip_project').on('net_floating_ip').column('project_id').execute();
    await db.schema.createTable('net_port_forwarding')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('floatingip_id', uuid, (c) => c.notNull().references('net_floating_ip.id').onDelete('cascade'))
      .addColumn('internal_port_id', uuid, (c) => c.notNull().references('net_port.id'))
      .addColumn('internal_ip_address', 'varchar(64)', (c) => c.notNull())
      .addColumn('internal_port', 'integer', (c) => c.notNull())
      .addColumn('internal_port_end', 'integer', (c) => c.notNull())
      .addColumn('external_port', 'integer', (c) => c.notNull())
      .addColumn('external_port_end', 'integer', (c) => c.notNull())
      .addColumn('protocol', 'varchar(8)', (c) => c.notNull())
      .addColumn('description', 'varchar(255)', (c) => c.notNull().defaultTo(''))
      .addUniqueConstraint('net_port_forwarding_external', ['floatingip_id', 'external_port', 'protocol'])
      .execute();

    await db.schema.createTable('net_rbac_policy')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('object_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('object_id', uuid, (c) => c.notNull())
      .addColumn('target_project', 'varchar(255)', (c) => c.notNull())
      .addColumn('action', 'varchar(32)', (c) => c.notNull())
      .addUniqueConstraint('net_rbac_policy_unique', ['object_type', 'object_id', 'target_project', 'action'])
      .execute();
    await db.schema.createIndex('net_rbac_policy_object').on('net_rbac_policy').columns(['object_type', 'object_id']).execute();

    await db.schema.createTable('net_tag')
      .addColumn('resource_type', 'varchar(32)', (c) => c.notNull())
      .addColumn('resource_id', uuid, (c) => c.notNull())
      .addColumn('tag', 'varchar(255)', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_tag_pk', ['resource_type', 'resource_id', 'tag'])
      .execute();

    await db.schema.createTable('net_quota')
      .addColumn('project_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('resource', 'varchar(64)', (c) => c.notNull())
      .addColumn('hard_limit', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('net_quota_pk', ['project_id', 'resource'])
      .execute();

    await db.schema.createTable('net_agent')
      .addColumn('id', uuid, (c) => c.primaryKey())
      .addColumn('agent_type', 'varchar(255)', (c) => c.notNull())
      .addColumn('binary', 'varchar(255)', (c) => c.notNull())
      .addColumn('topic', 'varchar(255)', (c) => c.notNull())
      .addColumn('host', 'varchar(255)', (c) => c.notNull())
      .addColumn('admin_state_up', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('availability_zone', 'varchar(255)')
      .addColumn('description', 'varchar(255)')
      .addColumn('configurations', 'text', (c) => c.notNull())
      .addColumn('resource_versions', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', ts, (c) => c.notNull())
      .addColumn('started_at', ts, (c) => c.notNull())
      .addColumn('heartbeat_timestamp', ts, (c) => c.notNull())
      .addColumn('load', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('resources_synced', 'integer')
      .addUniqueConstraint('net_agent_type_host', ['agent_type', 'host'])
      .execute();
  },
};
