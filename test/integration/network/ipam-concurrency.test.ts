// The IPAM race: many transactions allocating from a nearly full subnet at once. On PostgreSQL
// (NIMBUS_TEST_DATABASE_URL) they truly overlap; the primary key on (subnet_id, ip_address) and
// the transaction retry must give each address to exactly one port.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { ApiError } from '../../../src/core/errors.js';
import type { NetworkDb, NetworkRow } from '../../../src/network/db/schema.js';
import { inTransaction } from '../../../src/network/db/transaction.js';
import { allocatePortIps } from '../../../src/network/domain/ipam/allocate.js';
import { nextCreatedSeq } from '../../../src/network/domain/ipam/ipam-subnets.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

const now = '2024-01-01T00:00:00Z';
const std = { description: '', created_at: now, updated_at: now, revision_number: 0 };

export async function insertNetwork(db: Kysely<NetworkDb>, projectId: string): Promise<NetworkRow> {
  const row: NetworkRow = {
    id: randomUUID(), project_id: projectId, name: 'n', status: 'ACTIVE', admin_state_up: 1, is_external: 0, mtu: 1450,
    port_security_enabled: 1, availability_zone_hints: '[]', dns_domain: '', vlan_transparent: null, ...std,
  };
  await db.insertInto('net_network').values(row).execute();
  return row;
}

export async function insertSubnet(db: Kysely<NetworkDb>, network: NetworkRow, cidr: string, pool: [string, string], gateway: string | null): Promise<string> {
  const id = randomUUID();
  await db.insertInto('net_subnet').values({
    id, project_id: network.project_id, network_id: network.id, name: '', ip_version: cidr.includes(':') ? 6 : 4, cidr,
    gateway_ip: gateway, enable_dhcp: 1, ipv6_ra_mode: null, ipv6_address_mode: null, subnetpool_id: null, segment_id: null,
    dns_publish_fixed_ip: 0, created_seq: nextCreatedSeq(), ...std,
  }).execute();
  await db.insertInto('net_subnet_pool_range').values({ subnet_id: id, first_ip: pool[0], last_ip: pool[1], position: 0 }).execute();
  return id;
}

let macCounter = 0;
function portRow(network: NetworkRow) {
  macCounter += 1;
  const mac = `fa:16:3e:00:${(macCounter >> 8).toString(16).padStart(2, '0')}:${(macCounter & 255).toString(16).padStart(2, '0')}`;
  return {
    id: randomUUID(), project_id: network.project_id, network_id: network.id, name: '', mac_address: mac, admin_state_up: 1,
    status: 'DOWN', device_id: '', device_owner: '', port_security_enabled: 1, ip_allocation: 'immediate', dns_name: '',
    binding_host_id: '', binding_vnic_type: 'normal', binding_profile: '{}', binding_vif_type: 'unbound', binding_vif_details: '{}',
    propagate_uplink_status: 0, ...std,
  };
}

/** A port and its default addresses, in one transaction (as the port API does it). */
async function createPort(db: Kysely<NetworkDb>, network: NetworkRow): Promise<string[]> {
  return inTransaction(db, async (trx) => {
    const row = portRow(network);
    await trx.insertInto('net_port').values(row).execute();
    const ips = await allocatePortIps(trx, { network, portId: row.id, mac: row.mac_address, requested: undefined, deviceOwner: '', isAdmin: false });
    return ips.map((ip) => ip.ip_address);
  });
}

describe('IPAM under concurrency', () => {
  let h: NetworkHarness;
  before(async () => { h = await startNetwork(); });
  after(async () => { await h.close(); });

  it('8 racing allocations for the last 3 free addresses of a /29: exactly 3 win, no duplicates', async () => {
    const network = await insertNetwork(h.db, h.alice.projectId);
    const subnetId = await insertSubnet(h.db, network, '10.9.0.0/29', ['10.9.0.2', '10.9.0.6'], '10.9.0.1');
    // Two of the pool's five addresses are taken first.
    const first = [...await createPort(h.db, network), ...await createPort(h.db, network)];
    assert.equal(first.length, 2);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => createPort(h.db, network)));
    const won = results.filter((r): r is PromiseFulfilledResult<string[]> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    assert.equal(won.length, 3, JSON.stringify(lost.map((l) => String(l.reason))));
    for (const l of lost) {
      assert.ok(l.reason instanceof ApiError, String(l.reason));
      assert.equal(l.reason.status, 409);
      assert.equal(l.reason.kind, 'IpAddressGenerationFailure');
      assert.equal(l.reason.message, `No more IP addresses available on network ${network.id}.`);
    }
    const all = [...first, ...won.flatMap((w) => w.value)];
    assert.equal(new Set(all).size, 5);
    assert.ok(!all.includes('10.9.0.1'), 'the gateway is never handed out');
    const rows = await h.db.selectFrom('net_ip_allocation').select('ip_address').where('subnet_id', '=', subnetId).execute();
    assert.deepEqual(rows.map((r) => r.ip_address).sort(), ['10.9.0.2', '10.9.0.3', '10.9.0.4', '10.9.0.5', '10.9.0.6']);
    // Orphan ports of the losers must not exist: their transactions rolled back entirely.
    const ports = await h.db.selectFrom('net_port').select('id').where('network_id', '=', network.id).execute();
    assert.equal(ports.length, 5);
  });

  it('racing requests for one specific address: one wins, the rest get IpAddressAlreadyAllocated', async () => {
    const network = await insertNetwork(h.db, h.alice.projectId);
    const subnetId = await insertSubnet(h.db, network, '10.8.0.0/24', ['10.8.0.2', '10.8.0.254'], '10.8.0.1');
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => inTransaction(h.db, async (trx) => {
      const row = portRow(network);
      await trx.insertInto('net_port').values(row).execute();
      return allocatePortIps(trx, { network, portId: row.id, mac: row.mac_address, requested: [{ subnet_id: subnetId, ip_address: '10.8.0.77' }], deviceOwner: '', isAdmin: false });
    })));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    for (const r of results) {
      if (r.status === 'rejected') {
        assert.equal((r.reason as ApiError).kind, 'IpAddressAlreadyAllocated', String(r.reason));
        assert.equal((r.reason as ApiError).message, `IP address 10.8.0.77 already allocated in subnet ${subnetId}`);
      }
    }
  });

  it('allocates quickly in a subnet holding hundreds of ports', async () => {
    const network = await insertNetwork(h.db, h.alice.projectId);
    await insertSubnet(h.db, network, '10.7.0.0/22', ['10.7.0.2', '10.7.3.254'], '10.7.0.1');
    for (let i = 0; i < 500; i++) await createPort(h.db, network);
    const started = process.hrtime.bigint();
    const n = 50;
    for (let i = 0; i < n; i++) await createPort(h.db, network);
    const perPortMs = Number(process.hrtime.bigint() - started) / 1e6 / n;
    assert.ok(perPortMs < 15, `port + allocation took ${perPortMs.toFixed(2)} ms`);
    const rows = await h.db.selectFrom('net_ip_allocation').select('ip_address').where('network_id', '=', network.id).execute();
    assert.equal(new Set(rows.map((r) => r.ip_address)).size, 550);
  });
});
