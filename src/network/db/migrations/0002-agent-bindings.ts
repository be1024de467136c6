// The agent schedulers' bindings: which DHCP agent serves a network and which L3 agent hosts a
// router. One row per network / router: the primary key is the race guard that keeps two agents
// syncing at once from both taking the same resource. A binding disappears with its agent
// (DELETE /v2.0/agents/<id>), network or router.
import type { Kysely, Migration } from 'kysely';

const uuid = 'varchar(36)' as const;

export const agentBindings: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema.createTable('net_network_dhcp_agent')
      .addColumn('network_id', uuid, (c) => c.primaryKey().references('net_network.id').onDelete('cascade'))
      .addColumn('agent_id', uuid, (c) => c.notNull().references('net_agent.id').onDelete('cascade'))
      .execute();
    await db.schema.createIndex('net_network_dhcp_agent_agent').on('net_network_dhcp_agent').column('agent_id').execute();

    await db.schema.createTable('net_router_l3_agent')
      .addColumn('router_id', uuid, (c) => c.primaryKey().references('net_router.id').onDelete('cascade'))
      .addColumn('agent_id', uuid, (c) => c.notNull().references('net_agent.id').onDelete('cascade'))
      .execute();
    await db.schema.createIndex('net_router_l3_agent_agent').on('net_router_l3_agent').column('agent_id').execute();
  },
};
