// Interface attach / detach against the real network service (compute-world) and a fake agent on
// host-a: attach checks the network or port with the caller's token, calls the host and answers
// 200 with the attachment as GET shows it; the agent's failures become Nova's 404/409/400/500;
// detach needs the port in the info cache (404 otherwise) and casts; states, locks, bodies and
// versions (tag from 2.49) are refused as Nova refuses them, each recording nothing.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { MemoryBus, type BusArgs } from '../../../src/bus/index.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';
import { startComputeWorld, type ComputeWorld, type WorldNetwork } from '../../support/compute-world.js';
import type { Tenant } from '../../support/compute-harness.js';
import { insertInstance, type InstanceOverrides, instanceActionNames } from './server-fixtures.js';
import { recordingAgent, type RecordingAgent } from './recording-agent.js';

describe('server interface attach / detach', () => {
  let w: ComputeWorld;
  let bus: MemoryBus;
  let agent: RecordingAgent;
  let t: Tenant;
  let net: WorldNetwork;
  const attached: BusArgs[] = [];
  /** What the fake host does with an attach: makes the port (as the service) or fails as told. */
  let hostAnswer: (args: BusArgs) => Promise<unknown>;

  const server = (over: Partial<InstanceOverrides> = {}): Promise<InstanceRow> =>
    insertInstance(w.compute.db, { project_id: t.projectId, user_id: t.userId, ...over });
  const attach = (uuid: string, body: unknown, version = '2.1', token = t.token) =>
    w.compute.request('POST', `/v2.1/servers/${uuid}/os-interface`, { body, token, version });
  const actions = (uuid: string) => instanceActionNames(w.compute.db, uuid);

  before(async () => {
    bus = new MemoryBus();
    w = await startComputeWorld({ bus });
    t = w.compute.alice;
    net = await w.createNetwork(t.token, 'iface-net');
    agent = await recordingAgent(bus, ['detach_interface'], {
      attach_interface: async (args) => { attached.push(args); return hostAnswer(args); },
    });
  });
  after(async () => {
    await agent?.stop();
    await w?.close();
    await bus?.close();
  });
  beforeEach(() => {
    agent.reset();
    attached.length = 0;
    hostAnswer = async (args) => {
      const port = args.port_id !== undefined ? { id: args.port_id as string }
        : await w.clients.network.createPort({ network_id: args.network_id as string, project_id: t.projectId, device_id: args.uuid as string, device_owner: 'compute:nova' });
      return { port_id: port.id };
    };
  });

  it('attaches on a network (with a fixed IP and a 2.49 tag) and a port; 200 with the attachment', async () => {
    const vm = await server();
    const res = await attach(vm.uuid, { interfaceAttachment: { net_id: net.network.id, fixed_ips: [{ ip_address: '10.0.0.50' }], tag: 'nic1' } }, '2.70');
    assert.equal(res.statusCode, 200, res.body);
    const a = res.json().interfaceAttachment;
    assert.equal(a.net_id, net.network.id);
    assert.equal(a.tag, null);
    assert.match(a.mac_addr, /^fa:16:3e/);
    assert.deepEqual(attached[0], { uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], network_id: net.network.id, fixed_ip: '10.0.0.50', tag: 'nic1' });

    const port = await w.clients.network.createPort({ network_id: net.network.id, project_id: t.projectId });
    const byPort = await attach(vm.uuid, { interfaceAttachment: { port_id: port.id } });
    assert.equal(byPort.statusCode, 200, byPort.body);
    assert.equal(byPort.json().interfaceAttachment.port_id, port.id);
    assert.equal(byPort.json().interfaceAttachment.tag, undefined, 'no tag before 2.70');
    assert.deepEqual(attached[1], { uuid: vm.uuid, request_id: byPort.headers['x-openstack-request-id'], port_id: port.id });

    // No network named: the project's one usable network.
    assert.equal((await attach(vm.uuid, {})).statusCode, 200);
    assert.equal(attached[2]!.network_id, net.network.id);
    assert.deepEqual(await actions(vm.uuid), ['attach_interface', 'attach_interface', 'attach_interface']);
  });

  it('refuses what the caller cannot use before the host hears of it', async () => {
    const vm = await server({ vm_state: 'stopped', power_state: 4 });
    const unknownNet = await attach(vm.uuid, { interfaceAttachment: { net_id: randomUUID() } });
    assert.equal(unknownNet.statusCode, 404, unknownNet.body);
    const unknownPort = await attach(vm.uuid, { interfaceAttachment: { port_id: randomUUID() } });
    assert.equal(unknownPort.statusCode, 404, unknownPort.body);
    const used = await w.clients.network.createPort({ network_id: net.network.id, project_id: t.projectId, device_id: randomUUID(), device_owner: 'compute:nova' });
    assert.equal((await attach(vm.uuid, { interfaceAttachment: { port_id: used.id } })).statusCode, 409);
    const both = await attach(vm.uuid, { interfaceAttachment: { port_id: used.id, net_id: net.network.id } });
    assert.equal(both.statusCode, 400);
    assert.equal(both.json().badRequest.message, 'Must not input both network_id and port_id');
    const ipOnly = await attach(vm.uuid, { interfaceAttachment: { fixed_ips: [{ ip_address: '10.0.0.9' }] } });
    assert.equal(ipOnly.json().badRequest.message, 'Must input network_id when request IP address');
    const theirs = await w.createNetwork(w.compute.bob.token, 'bob-net');
    assert.equal((await attach(vm.uuid, { interfaceAttachment: { net_id: theirs.network.id } })).statusCode, 404, 'another project\'s network');
    for (const body of [{ interfaceAttachment: { net_id: 'x' } }, { interfaceAttachment: { fixed_ips: [] } }, { interfaceAttachment: { net_id: net.network.id, fixed_ips: [{ ip_address: 'nope' }] } },
      { interfaceAttachment: { tag: 'a' } }, { interfaceAttachment: 'x' }, { other: 1 }]) {
      const res = await attach(vm.uuid, body);
      assert.equal(res.statusCode, 400, `${JSON.stringify(body)} ${res.body}`);
    }
    for (const over of [{ vm_state: 'suspended' }, { vm_state: 'rescued' }, { task_state: 'rebooting' }, { locked: 1, locked_by: 'admin' }]) {
      const busy = await server(over);
      assert.equal((await attach(busy.uuid, { interfaceAttachment: { net_id: net.network.id } })).statusCode, 409, JSON.stringify(over));
    }
    assert.equal(attached.length, 0);
    assert.deepEqual(await actions(vm.uuid), []);
  });

  it('maps the host\'s failures: the user\'s mistakes as 4xx, the rest InterfaceAttachFailed (500)', async () => {
    const vm = await server({ vm_state: 'paused', power_state: 3 });
    const fail = (name: string, message: string) => { hostAnswer = async () => { const e = new Error(message); e.name = name; throw e; }; };
    fail('BuildAbortError', 'Creating a port on network x failed: No more IP addresses available');
    const full = await attach(vm.uuid, { interfaceAttachment: { net_id: net.network.id } });
    assert.equal(full.statusCode, 400);
    assert.match(full.json().badRequest.message, /No more IP addresses/);
    fail('BuildAbortError', 'Port x is still in use.');
    assert.equal((await attach(vm.uuid, { interfaceAttachment: { net_id: net.network.id } })).statusCode, 409);
    fail('VifPlugTimeoutError', 'Timeout waiting for vif plugging');
    const timeout = await attach(vm.uuid, { interfaceAttachment: { net_id: net.network.id } });
    assert.equal(timeout.statusCode, 500);
    assert.equal(timeout.json().computeFault.message, `Failed to attach network adapter device to ${vm.uuid}`);
  });

  it('detaches a port of the info cache (202, cast); 404 for one that is not attached', async () => {
    const port = randomUUID();
    const vm = await server();
    await w.compute.db.insertInto('nova_instance_info_cache').values({
      instance_uuid: vm.uuid, network_info: JSON.stringify([{ id: port, network: { id: net.network.id, label: 'iface-net', subnets: [] } }]), updated_at: new Date().toISOString(),
    }).execute();
    const missing = await w.compute.request('DELETE', `/v2.1/servers/${vm.uuid}/os-interface/${randomUUID()}`, { token: t.token });
    assert.equal(missing.statusCode, 404);
    assert.match(missing.json().itemNotFound.message, /is not attached/);
    const res = await w.compute.request('DELETE', `/v2.1/servers/${vm.uuid}/os-interface/${port}`, { token: t.token });
    assert.equal(res.statusCode, 202, res.body);
    await agent.waitFor(1);
    assert.deepEqual(agent.received[0], { method: 'detach_interface', args: { uuid: vm.uuid, request_id: res.headers['x-openstack-request-id'], port_id: port } });
    assert.deepEqual(await actions(vm.uuid), ['detach_interface']);
    await w.compute.db.updateTable('nova_instance').set({ locked: 1, locked_by: 'admin' }).where('uuid', '=', vm.uuid).execute();
    assert.equal((await w.compute.request('DELETE', `/v2.1/servers/${vm.uuid}/os-interface/${port}`, { token: t.token })).statusCode, 409);
  });
});
