// Starting the services of a cloud in this process: the all-in-one, or one role of a scale-out.
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { NimbusConfig } from '../core/config.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase, type Database } from '../db/database.js';
import { createBus, type Bus } from '../bus/index.js';
import type { IdentityDb } from '../identity/db/schema.js';
import { bootstrapIdentity, type CatalogService } from '../identity/bootstrap.js';
import { buildIdentityDeps, createIdentityService, migrateIdentity } from '../identity/service.js';
import type { ImageDb } from '../image/db/schema.js';
import { buildImageDeps, createImageService, migrateImage, prepareImageService } from '../image/service.js';
import type { NetworkDb } from '../network/db/schema.js';
import { buildNetworkDeps, createNetworkService, migrateNetwork } from '../network/service.js';
import { serveAgentReports } from '../network/rpc/report-state.js';
import { serveAgentRpc } from '../network/rpc/agent-rpc.js';
import { metadataSecret, startDataplane, type RunningDataplane } from '../network/agents/dataplane.js';
import { startComputeHosts } from './compute-hosts.js';
import { createMetadataService } from '../compute/metadata/service.js';
import { networkInfoFromCache } from '../compute/metadata/network-info.js';
import type { ComputeDb } from '../compute/db/schema.js';
import type { PlacementDb } from '../placement/db/schema.js';
import { buildPlacementDeps, createPlacementService, migratePlacement } from '../placement/service.js';
import { buildComputeDeps, createComputeService, migrateCompute } from '../compute/service.js';
import { ensureFlavors } from '../compute/domain/flavors.js';
import { serveConductor } from '../compute/conductor/index.js';
import { startConsoleProxy } from '../compute/console-proxy/proxy.js';
import { consoleBaseUrls } from '../compute/console-config.js';
import { computeConfigOf } from '../compute/config.js';
import type { TokenValidator } from '../core/http/auth-context.js';
import { RemoteTokenValidator } from '../core/http/remote-token-validator.js';
import { adminPassword, identityUrl, serviceUrls, writeOpenrc } from '../core/admin-credentials.js';

/** Every role a process can run; the all-in-one runs them all ('agents' = the network agents of the data plane). */
export const ALL_ROLES = ['identity', 'image', 'network', 'placement', 'compute', 'agents'] as const;

export function imageUrl(config: NimbusConfig): string {
  return serviceUrls(config).image;
}

export function networkUrl(config: NimbusConfig): string {
  return serviceUrls(config).network;
}

export function placementUrl(config: NimbusConfig): string {
  return serviceUrls(config).placement;
}

export function computeUrl(config: NimbusConfig): string {
  return serviceUrls(config).compute;
}

/**
 * The console proxy's URL bases, listed beside the catalog's endpoints (Nova lists no console
 * endpoint in the catalog either: clients get console URLs from the compute API).
 */
export function consoleEndpoints(config: NimbusConfig): Record<string, string> {
  const bases = consoleBaseUrls(config, computeConfigOf(config).console);
  return { 'console (noVNC)': bases.novnc, 'console (serial)': bases.serial };
}

export interface RunningCloud {
  readonly endpoints: Readonly<Record<string, string>>;
  readonly openrcPath: string;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** The services this build of Nimbus provides, as the catalog should list them. */
export function catalogServices(config: NimbusConfig): CatalogService[] {
  return [
    { type: 'identity', name: 'keystone', url: identityUrl(config) },
    { type: 'image', name: 'glance', url: imageUrl(config) },
    { type: 'network', name: 'neutron', url: networkUrl(config) },
    { type: 'placement', name: 'placement', url: placementUrl(config) },
    { type: 'compute', name: 'nova', url: computeUrl(config) },
  ];
}

export async function migrateAll(config: NimbusConfig): Promise<void> {
  const database: Database<IdentityDb> = openDatabase(config.databaseUrl);
  try {
    await migrateIdentity(database.db);
    await migrateImage(database.db as unknown as Kysely<ImageDb>);
    await migrateNetwork(database.db as unknown as Kysely<NetworkDb>);
    await migratePlacement(database.db as unknown as Kysely<PlacementDb>);
    await migrateCompute(database.db as unknown as Kysely<ComputeDb>);
  } finally {
    await database.close();
  }
}

export async function runBootstrap(config: NimbusConfig, db: Kysely<IdentityDb>, logger: Logger, hasher = buildIdentityDeps(config, db, undefined).hasher): Promise<void> {
  const result = await bootstrapIdentity(db, hasher, {
    adminPassword: adminPassword(config), region: config.region, services: catalogServices(config),
  });
  for (const what of result.created) logger.info({ created: what }, 'bootstrap');
}

/** The configured bus; failures nobody awaits (a cast's handler failing, say) are logged. */
function openBus(config: NimbusConfig, logger: Logger): Promise<Bus> {
  const onError = (err: unknown) => logger.error({ err }, 'bus: unhandled failure');
  return createBus(config.bus.driver === 'memory' ? { driver: 'memory', onError } : { driver: 'amqp', url: config.bus.url, onError });
}

/** One endpoint line per host whose agents this process runs. */
function listAgents(dataplane: RunningDataplane, endpoints: Record<string, string>): void {
  for (const host of dataplane.hosts) endpoints[`agents@${host.host}`] = dataplane.sandbox ? `sandbox ${dataplane.sandbox.name}` : 'host';
}

/**
 * The agents of every host of the data plane: network agents, then a compute agent beside them
 * (its guests' taps appear in the host's namespace, where the L2 agent wires them).
 */
async function startHostsAgents(config: NimbusConfig, bus: Bus, logger: Logger, endpoints: Record<string, string>): Promise<() => Promise<void>> {
  const dataplane = await startDataplane(config, bus, logger);
  const compute = startComputeHosts(config, bus, logger, dataplane);
  listAgents(dataplane, endpoints);
  return async () => {
    await compute.stop();
    await dataplane.stop();
  };
}

/** The agents alone (a compute or network node): bus only, never the database. */
async function startAgentsOnly(config: NimbusConfig): Promise<RunningCloud> {
  const logger = createLogger(config.logLevel);
  const bus: Bus = await openBus(config, logger);
  const endpoints: Record<string, string> = {};
  let stopAgents: () => Promise<void>;
  try {
    stopAgents = await startHostsAgents(config, bus, logger, endpoints);
  } catch (err) {
    await bus.close();
    throw err;
  }
  return {
    endpoints, openrcPath: '', logger,
    async stop() {
      await stopAgents();
      await bus.close();
    },
  };
}

export async function startCloud(config: NimbusConfig, roles: readonly string[]): Promise<RunningCloud> {
  if (roles.length === 1 && roles[0] === 'agents') return startAgentsOnly(config);
  const logger = createLogger(config.logLevel);
  const database: Database<IdentityDb> = openDatabase(config.databaseUrl);
  const bus: Bus = await openBus(config, logger);
  const closers: (() => Promise<void>)[] = [];
  const endpoints: Record<string, string> = {};
  /** Every API server starts the same way: listen, close on stop, list its endpoint. */
  const serveApp = async (name: string, app: { listen(o: { host: string; port: number }): Promise<unknown>; close(): Promise<unknown> }, port: number, url: string) => {
    await app.listen({ host: config.bindHost, port });
    closers.push(async () => { await app.close(); });
    endpoints[name] = url;
  };
  try {
    await migrateIdentity(database.db);
    const identityDeps = buildIdentityDeps(config, database.db, bus);
    await runBootstrap(config, database.db, logger, identityDeps.hasher);
    if (roles.includes('identity')) {
      const identity = createIdentityService(identityDeps, logger);
      await serveApp('identity', identity.app, config.identity.port, identityUrl(config));
    }
    // In one process the identity service validates tokens directly; alone, over its HTTP API.
    const tokens: TokenValidator = roles.includes('identity') ? identityDeps.tokens
      : new RemoteTokenValidator({ authUrl: identityUrl(config), username: 'admin', password: adminPassword(config), projectName: 'admin' });
    if (roles.includes('image')) {
      const imageDb = database.db as unknown as Kysely<ImageDb>;
      await migrateImage(imageDb);
      const imageDeps = buildImageDeps(config, imageDb, bus);
      const recovered = await prepareImageService(imageDeps);
      logger.info({ recovered }, 'image data recovery');
      const image = createImageService(imageDeps, tokens, logger);
      await serveApp('image', image.app, config.image.port, imageUrl(config));
    }
    if (roles.includes('network')) {
      const networkDb = database.db as unknown as Kysely<NetworkDb>;
      await migrateNetwork(networkDb);
      const networkDeps = buildNetworkDeps(config, networkDb, bus);
      const reports = await serveAgentReports(bus, networkDeps, hostname());
      closers.push(() => reports.stop());
      const agentRpc = await serveAgentRpc(bus, networkDeps, hostname());
      closers.push(() => agentRpc.stop());
      const network = createNetworkService(networkDeps, tokens, logger);
      await serveApp('network', network.app, config.network.port, networkUrl(config));
    }
    if (roles.includes('placement')) {
      const placementDb = database.db as unknown as Kysely<PlacementDb>;
      await migratePlacement(placementDb);
      const placement = createPlacementService(buildPlacementDeps(config, placementDb), tokens, logger);
      await serveApp('placement', placement.app, config.placement.port, placementUrl(config));
    }
    if (roles.includes('compute')) {
      const computeDb = database.db as unknown as Kysely<ComputeDb>;
      await migrateCompute(computeDb);
      await ensureFlavors(computeDb);
      const computeDeps = buildComputeDeps(config, computeDb, bus);
      // nova-conductor: compute agents reach the database only through it (bus topic `conductor`).
      const conductor = await serveConductor(bus, computeDeps, hostname(), { logger });
      closers.push(() => conductor.stop());
      const compute = createComputeService(computeDeps, tokens, logger);
      await serveApp('compute', compute.app, config.compute.port, computeUrl(config));
      // Nova's metadata service: only requests signed by a network metadata agent are answered.
      const metadata = createMetadataService(computeDeps, { sharedSecret: metadataSecret(config), networkInfo: networkInfoFromCache(computeDb) }, logger);
      await serveApp('metadata', metadata.app, config.compute.metadataPort, `http://${config.publicHost}:${config.compute.metadataPort}`);
      // nova-novncproxy + nova-serialproxy: it opens the agents' console sockets, on this machine.
      const consoles = computeDeps.compute.console;
      const proxy = await startConsoleProxy({
        db: computeDb, bindHost: config.bindHost, novncPort: consoles.novncPort, serialPort: consoles.serialPort,
        allowedOrigins: consoles.allowedOrigins, logger,
      });
      closers.push(() => proxy.close());
      Object.assign(endpoints, consoleEndpoints(config));
    }
    if (roles.includes('agents') && config.network.dataplane.mode !== 'off') {
      closers.push(await startHostsAgents(config, bus, logger, endpoints));
    }
  } catch (err) {
    for (const close of closers.reverse()) await close();
    await bus.close();
    await database.close();
    throw err;
  }
  const openrcPath = writeOpenrc(config, adminPassword(config));
  return {
    endpoints,
    openrcPath,
    logger,
    async stop() {
      for (const close of closers.reverse()) await close();
      await bus.close();
      await database.close();
    },
  };
}
