// The compute API with the real image, network and placement services beside it: all four on ONE
// identity harness (one database, one token validator), the three others on 127.0.0.1 listeners
// that the compute service reaches through ComputeClients — user calls with the user's token
// (userTokenAuth), service calls with the admin's. So server create is tested against real
// Glance/Neutron/Placement behaviour. SQLite by default; PostgreSQL with NIMBUS_TEST_DATABASE_URL.
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { createLogger } from '../../src/core/logger.js';
import type { Bus } from '../../src/bus/index.js';
import { ImageClient, NetworkClient, PlacementClient } from '../../src/core/clients/index.js';
import { userTokenAuth, type ComputeClients } from '../../src/compute/clients.js';
import type { ImageDb } from '../../src/image/db/schema.js';
import { buildImageDeps, createImageService, migrateImage, prepareImageService } from '../../src/image/service.js';
import type { NetworkDb } from '../../src/network/db/schema.js';
import { buildNetworkDeps, createNetworkService, migrateNetwork } from '../../src/network/service.js';
import type { PlacementDb } from '../../src/placement/db/schema.js';
import { buildPlacementDeps, createPlacementService, migratePlacement } from '../../src/placement/service.js';
import { startCompute, type ComputeHarness, type ComputeRequestOptions } from './compute-harness.js';
import { startIdentity } from './identity-harness.js';
import { qcow2 } from './image-data.js';

export interface ServiceHandle {
  readonly app: FastifyInstance;
  /** Base URL (no version prefix), as the catalog lists it. */
  readonly url: string;
}

export interface WorldImage { readonly id: string; readonly [field: string]: unknown }
export interface WorldNetwork {
  readonly network: Record<string, any>;
  readonly subnet: Record<string, any>;
}

export interface ImageOptions {
  /** Image bytes (default: a 64 KiB qcow2 header for a 1 GiB disk). */
  readonly data?: Buffer;
  readonly disk_format?: string;
  readonly container_format?: string;
  readonly visibility?: 'public' | 'private' | 'shared' | 'community';
  readonly min_disk?: number;
  readonly min_ram?: number;
  readonly name?: string;
  /** Additional properties (hw_*, os_*, …), strings. */
  readonly properties?: Readonly<Record<string, string>>;
  /** Leave the image queued (no data uploaded). */
  readonly noData?: boolean;
}

export interface NetworkOptions {
  readonly cidr?: string;
  readonly shared?: boolean;
  readonly external?: boolean;
  /** No subnet (subnet is then {}). */
  readonly noSubnet?: boolean;
}

export interface ComputeWorld {
  readonly compute: ComputeHarness;
  readonly image: ServiceHandle;
  readonly network: ServiceHandle;
  readonly placement: ServiceHandle;
  /** What the compute service was given (also deps.clients). */
  readonly clients: ComputeClients;
  /** Endpoints by service type. */
  readonly endpoints: Readonly<Record<string, string>>;
  /** An active image owned by the token's project (default: the admin's, public). */
  createImage(token?: string, options?: ImageOptions): Promise<WorldImage>;
  /** A network with one IPv4 subnet in the token's project (default: the admin's). */
  createNetwork(token?: string, name?: string, options?: NetworkOptions): Promise<WorldNetwork>;
  /** A flavor (admin), default 1 vCPU / 256 MB / 1 GB root; fields override. */
  createFlavor(fields?: Record<string, unknown>): Promise<Record<string, any>>;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly compute?: Record<string, unknown>;
  readonly identity?: Record<string, unknown>;
  /** The compute API's bus (casts to the conductor). */
  readonly bus?: Bus;
  /** The network service's bus (L2 agents); none by default. */
  readonly networkBus?: Bus;
}

async function listen(app: FastifyInstance): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

let subnetCounter = 0;

export async function startComputeWorld(options: WorldOptions = {}): Promise<ComputeWorld> {
  const identity = await startIdentity(options.identity ?? {});
  const started: FastifyInstance[] = [];
  try {
    const logger = createLogger('silent');
    const imageDb = identity.deps.db as unknown as Kysely<ImageDb>;
    await migrateImage(imageDb);
    const imageDeps = buildImageDeps(identity.config, imageDb, undefined);
    await prepareImageService(imageDeps);
    const imageApp = createImageService(imageDeps, identity.deps.tokens, logger).app;
    started.push(imageApp);

    const netDb = identity.deps.db as unknown as Kysely<NetworkDb>;
    await migrateNetwork(netDb);
    const networkApp = createNetworkService(buildNetworkDeps(identity.config, netDb, options.networkBus), identity.deps.tokens, logger).app;
    started.push(networkApp);

    const placementDb = identity.deps.db as unknown as Kysely<PlacementDb>;
    await migratePlacement(placementDb);
    const placementApp = createPlacementService(buildPlacementDeps(identity.config, placementDb), identity.deps.tokens, logger).app;
    started.push(placementApp);

    const endpoints = {
      image: await listen(imageApp), network: await listen(networkApp), placement: await listen(placementApp),
    };
    const service = userTokenAuth(identity.adminToken, endpoints);
    const clients: ComputeClients = {
      imageAs: (token, requestId) => ImageClient.create(userTokenAuth(token, endpoints)).withRequestId(requestId),
      networkAs: (token, requestId) => NetworkClient.create(userTokenAuth(token, endpoints)).withRequestId(requestId),
      placement: PlacementClient.create(service),
      network: NetworkClient.create(service),
      image: ImageClient.create(service),
    };
    const compute = await startCompute({
      identityHarness: identity, clients,
      ...(options.compute !== undefined ? { compute: options.compute } : {}),
      ...(options.bus !== undefined ? { bus: options.bus } : {}),
    });

    const inject = async (app: FastifyInstance, method: string, url: string, token: string, body?: unknown, contentType = 'application/json'): Promise<LightMyRequestResponse> =>
      app.inject({
        method: method as 'GET', url, headers: { 'x-auth-token': token, ...(body !== undefined ? { 'content-type': contentType } : {}) },
        ...(body !== undefined ? { payload: Buffer.isBuffer(body) ? body : JSON.stringify(body) } : {}),
      });
    const must = (res: LightMyRequestResponse, status: number, what: string): Record<string, any> => {
      if (res.statusCode !== status) throw new Error(`${what} failed: ${res.statusCode} ${res.body}`);
      return res.body === '' ? {} : res.json();
    };

    return {
      compute,
      image: { app: imageApp, url: endpoints.image },
      network: { app: networkApp, url: endpoints.network },
      placement: { app: placementApp, url: endpoints.placement },
      clients,
      endpoints,
      async createImage(token = identity.adminToken, opts = {}) {
        const body: Record<string, unknown> = {
          name: opts.name ?? 'cirros', disk_format: opts.disk_format ?? 'qcow2', container_format: opts.container_format ?? 'bare',
          ...(opts.visibility !== undefined ? { visibility: opts.visibility } : token === identity.adminToken ? { visibility: 'public' } : {}),
          ...(opts.min_disk !== undefined ? { min_disk: opts.min_disk } : {}),
          ...(opts.min_ram !== undefined ? { min_ram: opts.min_ram } : {}),
          ...opts.properties,
        };
        const image = must(await inject(imageApp, 'POST', '/v2/images', token, body), 201, 'create image');
        if (opts.noData) return image as WorldImage;
        const data = opts.data ?? qcow2(1 << 30);
        must(await inject(imageApp, 'PUT', `/v2/images/${image.id}/file`, token, data, 'application/octet-stream'), 204, 'upload image');
        return must(await inject(imageApp, 'GET', `/v2/images/${image.id}`, token), 200, 'show image') as WorldImage;
      },
      async createNetwork(token = identity.adminToken, name = 'private', opts = {}) {
        const network = must(await inject(networkApp, 'POST', '/v2.0/networks', token, {
          network: { name, ...(opts.shared !== undefined ? { shared: opts.shared } : {}), ...(opts.external !== undefined ? { 'router:external': opts.external } : {}) },
        }), 201, 'create network').network;
        if (opts.noSubnet) return { network, subnet: {} };
        const n = ++subnetCounter;
        const cidr = opts.cidr ?? `10.${(n >> 8) & 255}.${n & 255}.0/24`;
        const subnet = must(await inject(networkApp, 'POST', '/v2.0/subnets', token, {
          subnet: { network_id: network.id, ip_version: 4, cidr, name: `${name}-subnet` },
        }), 201, 'create subnet').subnet;
        return { network, subnet };
      },
      async createFlavor(fields = {}) {
        return compute.createFlavor({ name: `f-${Math.random().toString(36).slice(2, 10)}`, ram: 256, vcpus: 1, disk: 1, ...fields });
      },
      async close() {
        for (const app of started) await app.close();
        await compute.close();
      },
    };
  } catch (err) {
    for (const app of started) await app.close().catch(() => undefined);
    await identity.close().catch(() => undefined);
    throw err;
  }
}

/** POST /v2.1/servers (default microversion 2.1 unless `version`), insisting on 202; returns the JSON body. */
export async function createServer(world: ComputeWorld, token: string, body: unknown, version?: string): Promise<Record<string, any>> {
  const res = await postServer(world, token, body, version);
  if (res.statusCode !== 202) throw new Error(`create server failed: ${res.statusCode} ${res.body}`);
  return res.json();
}

/** POST /v2.1/servers, returning the raw response (for refusals). */
export function postServer(world: ComputeWorld, token: string, body: unknown, version?: string, extra: ComputeRequestOptions = {}): Promise<LightMyRequestResponse> {
  return world.compute.request('POST', '/v2.1/servers', { ...extra, body, token, ...(version !== undefined ? { version } : {}) });
}
