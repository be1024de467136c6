// The typed clients against the real identity, network and image services, each on its own
// 127.0.0.1 listener and found through the catalog, with a service user ("nova" in project
// "service", admin there) as Nova has one.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import {
  ImageClient, NetworkClient, ServiceApiError, ServiceAuth, imageProperties,
} from '../../../src/core/clients/index.js';
import { RemoteTokenValidator } from '../../../src/core/http/remote-token-validator.js';
import { createLogger } from '../../../src/core/logger.js';
import type { ImageDb } from '../../../src/image/db/schema.js';
import { buildImageDeps, createImageService, migrateImage, prepareImageService } from '../../../src/image/service.js';
import { makeProject, makeUser, roleIdByName } from '../../support/assignment-fixtures.js';
import { startNetwork, type NetworkHarness } from '../../support/network-harness.js';

describe('service clients against the real services over HTTP', () => {
  let net: NetworkHarness;
  let image: FastifyInstance;
  let urls: { identity: string; network: string; image: string };
  let auth: ServiceAuth;
  let network: NetworkClient;
  let images: ImageClient;
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-clients-'));
    net = await startNetwork();
    const identity = net.identity;
    const imageDb = identity.deps.db as unknown as Kysely<ImageDb>;
    await migrateImage(imageDb);
    const imageDeps = buildImageDeps(identity.config, imageDb, undefined);
    await prepareImageService(imageDeps);
    image = createImageService(imageDeps, identity.deps.tokens, createLogger('silent')).app;
    urls = {
      identity: `${await identity.app.listen({ host: '127.0.0.1', port: 0 })}/v3`,
      network: await net.app.listen({ host: '127.0.0.1', port: 0 }),
      image: await image.listen({ host: '127.0.0.1', port: 0 }),
    };
    // The catalog: each service's public endpoint is its listener; internal ones spelled differently.
    for (const [type, url] of [['network', urls.network], ['image', urls.image]] as const) {
      const svc = await identity.request('POST', '/v3/services', { body: { service: { type, name: type } } });
      assert.equal(svc.statusCode, 201, svc.body);
      const serviceId = (svc.json() as { service: { id: string } }).service.id;
      for (const [iface, u] of [['public', url], ['internal', url.replace('127.0.0.1', 'localhost')]]) {
        const ep = await identity.request('POST', '/v3/endpoints', { body: { endpoint: { service_id: serviceId, interface: iface, url: u, region_id: 'RegionOne' } } });
        assert.equal(ep.statusCode, 201, ep.body);
      }
    }
    // The service user, as DevStack makes nova's: admin in project "service".
    const serviceProject = await makeProject(identity, 'default', null, `service-${randomBytes(3).toString('hex')}`);
    const nova = await makeUser(identity);
    const grant = await identity.request('PUT', `/v3/projects/${serviceProject}/users/${nova.id}/roles/${await roleIdByName(identity, 'admin')}`);
    assert.equal(grant.statusCode, 204, grant.body);
    auth = new ServiceAuth({ authUrl: urls.identity, username: nova.name, password: nova.password, projectId: serviceProject, region: 'RegionOne' });
    network = NetworkClient.create(auth);
    images = ImageClient.create(auth);
  });

  after(async () => {
    await image?.close();
    await net?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the catalog gives each service\'s endpoint by interface', async () => {
    assert.equal(await auth.endpoint('network'), urls.network);
    assert.equal(await auth.endpoint('image', { interface: 'internal' }), urls.image.replace('127.0.0.1', 'localhost'));
    assert.equal(await network.http.baseUrl(), `${urls.network}/v2.0`);
    assert.equal((await auth.session()).roles.includes('admin'), true);
  });

  test('networks, subnets, ports with binding, security groups, floating IPs', async () => {
    const tenant = net.alice.projectId;
    const created = await network.createNetwork({ name: 'client-net', project_id: tenant });
    assert.equal((await network.showNetwork(created.id)).name, 'client-net');
    const subnet = await network.createSubnet({ network_id: created.id, cidr: '10.77.0.0/24', ip_version: 4, project_id: tenant });
    assert.deepEqual((await network.listSubnetsByNetwork(created.id)).map((s) => s.id), [subnet.id]);
    assert.ok((await network.listNetworks({ project_id: tenant })).some((n) => n.id === created.id));

    const server = randomUUID();
    const port = await network.createPort({
      network_id: created.id, project_id: tenant, device_id: server, device_owner: 'compute:nova',
      'binding:host_id': 'compute-1', fixed_ips: [{ subnet_id: subnet.id, ip_address: '10.77.0.50' }],
    });
    assert.equal(port.device_id, server);
    assert.equal(port['binding:host_id'], 'compute-1');
    assert.deepEqual(port.fixed_ips, [{ subnet_id: subnet.id, ip_address: '10.77.0.50' }]);

    // The project's default group, found by name, went on the port.
    const [sg] = await network.listSecurityGroupsByName('default', tenant);
    assert.ok(sg);
    assert.deepEqual(port.security_groups, [sg.id]);
    const second = await network.createPort({ network_id: created.id, project_id: tenant, device_id: server, device_owner: 'compute:nova', security_groups: [sg.id] });

    assert.deepEqual((await network.listPortsByDevice(server)).map((p) => p.id).sort(), [port.id, second.id].sort());
    const moved = await network.withRequestId(`req-${randomUUID()}`).bindPort(port.id, { hostId: 'compute-2', profile: { migrating_to: 'compute-2' } });
    assert.equal(moved['binding:host_id'], 'compute-2');
    assert.equal((await network.showPort(port.id))['binding:host_id'], 'compute-2');
    const detached = await network.unbindPort(second.id);
    assert.equal(detached.device_id, '');
    assert.deepEqual((await network.listPortsByDevice(server)).map((p) => p.id), [port.id]);

    assert.deepEqual(await network.listFloatingIps({ port_id: port.id }), []);
    assert.equal(await network.hasExtension('binding'), true);

    assert.equal(await network.deletePort(port.id), true);
    assert.equal(await network.deletePort(port.id), false);
    assert.equal(await network.findPort(port.id), undefined);
    await assert.rejects(network.showPort(port.id), (e: unknown) => e instanceof ServiceApiError && e.status === 404
      && e.service === 'network' && e.method === 'GET' && /could not be found/.test(e.detail ?? ''));
  });

  test('ensureExternalNetwork creates the public network once', async () => {
    const spec = { name: `public-${randomBytes(3).toString('hex')}`, physicalNetwork: 'public', cidr: '172.31.4.0/24', gatewayIp: '172.31.4.1', allocationPools: [{ start: '172.31.4.10', end: '172.31.4.200' }] };
    const id = await network.ensureExternalNetwork(spec);
    assert.equal(await network.ensureExternalNetwork(spec), id);
    const shown = await network.showNetwork(id);
    assert.equal(shown['router:external'], true);
    assert.equal(shown['provider:network_type'], 'flat');
    const [subnet] = await network.listSubnetsByNetwork(id);
    assert.equal(subnet?.gateway_ip, '172.31.4.1');
    assert.equal(subnet?.enable_dhcp, false);
    assert.deepEqual(subnet?.allocation_pools, spec.allocationPools);
  });

  test('upload a snapshot, read its properties, download it with hash verification', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const source = join(dir, 'disk.raw');
    writeFileSync(source, data);
    const uploaded = await images.uploadImage({ name: 'snap', disk_format: 'raw', container_format: 'bare', image_type: 'snapshot', instance_uuid: randomUUID() }, source);
    assert.equal(uploaded.status, 'active');
    assert.equal(uploaded.size, data.length);
    assert.equal(uploaded.os_hash_algo, 'sha512');
    assert.equal(uploaded.os_hash_value, createHash('sha512').update(data).digest('hex'));
    assert.equal(uploaded.checksum, createHash('md5').update(data).digest('hex'));

    const updated = await images.setProperties(uploaded.id, { hw_disk_bus: 'virtio', image_type: null });
    assert.equal(imageProperties(updated).hw_disk_bus, 'virtio');
    assert.equal(imageProperties(updated).image_type, undefined);
    assert.equal(imageProperties(await images.getImage(uploaded.id)).instance_uuid, uploaded.instance_uuid);

    const dest = join(dir, 'downloaded.raw');
    const got = await images.downloadImage(uploaded.id, dest);
    assert.deepEqual(readFileSync(dest), data);
    assert.equal(got.hashValue, uploaded.os_hash_value);
    assert.equal(got.size, data.length);

    assert.ok((await images.listImages({ name: 'snap' })).some((i) => i.id === uploaded.id));
    assert.equal(await images.deleteImage(uploaded.id), true);
    assert.equal(await images.findImage(uploaded.id), undefined);
  });

  test('a failed upload removes the image record it created', async () => {
    const before = (await images.listImages({ name: 'broken-snap' })).length;
    await assert.rejects(images.uploadImage({ name: 'broken-snap', disk_format: 'raw', container_format: 'bare' }, join(dir, 'missing.raw')));
    assert.equal((await images.listImages({ name: 'broken-snap' })).length, before);
  });

  test('a revoked service token is replaced once and the call goes through', async () => {
    const old = await auth.token();
    const res = await net.identity.request('DELETE', '/v3/auth/tokens', { headers: { 'x-subject-token': old } });
    assert.equal(res.statusCode, 204);
    assert.ok(Array.isArray(await network.listNetworks({ name: 'nothing-here' })));
    assert.notEqual(await auth.token(), old);
  });

  test('the token validator shares the service user\'s session', async () => {
    const validator = new RemoteTokenValidator(auth, 0);
    const ctx = await validator.validate(net.alice.token);
    assert.equal(ctx.projectId, net.alice.projectId);
    await assert.rejects(validator.validate('garbage'), (e: { status?: number }) => e.status === 401);
  });
});
