// The `nimbus` command.
import { loadConfig, ConfigError } from '../core/config.js';
import { createLogger } from '../core/logger.js';
import { openDatabase } from '../db/database.js';
import type { IdentityDb } from '../identity/db/schema.js';
import { keyRepository, migrateIdentity } from '../identity/service.js';
import { adminPassword, openrc } from '../core/admin-credentials.js';
import { ALL_ROLES, catalogServices, consoleEndpoints, migrateAll, runBootstrap, startCloud } from './cloud.js';
import { sandboxCommand } from './sandbox-command.js';
import { ensurePublicNetwork } from './public-network.js';
import { ensureGuestImage } from './guest-image-bootstrap.js';

const USAGE = `usage: nimbus <command>
  all-in-one            start every service of a one-machine cloud (SQLite, in-process bus)
  serve <role>...       start the given roles only (identity, image, network, agents)
  agents                the network agents only (same as: serve agents)
  sandbox create|destroy|show
                        the simulated hosts of network.dataplane (namespaces; see docs/dataplane.md)
  db-migrate            apply every service's database migrations
  bootstrap             create the admin user, project, roles, region and catalog (idempotent)
  openrc                print an openrc for the admin user
  endpoints             print the public endpoint of every service
  token-keys rotate     rotate the token key repository
configuration: $NIMBUS_CONFIG (default /etc/nimbus/nimbus.json) and NIMBUS_* variables (docs/configuration.md)`;


async function serve(roles: string[]): Promise<void> {
  const config = loadConfig();
  const cloud = await startCloud(config, roles);
  if (roles.includes('network') && roles.includes('identity') && config.network.dataplane.mode === 'sandbox') {
    // The all-in-one's sandbox comes with its provider network, as DevStack's does.
    await ensurePublicNetwork(config).catch((err: unknown) => cloud.logger.warn({ err: String(err) }, 'public network not created'));
  }
  if (roles.includes('image')) await ensureGuestImage(config, cloud.logger).catch((err: unknown) => cloud.logger.warn({ err: String(err) }, 'guest image not uploaded'));
  process.stdout.write(`Nimbus is running (pid ${process.pid}).\n`);
  for (const [service, url] of Object.entries(cloud.endpoints)) process.stdout.write(`  ${service.padEnd(10)} ${url}\n`);
  if (cloud.openrcPath !== '') process.stdout.write(`Credentials: source ${cloud.openrcPath}\n`);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    cloud.logger.info({ signal }, 'stopping');
    cloud.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'all-in-one':
      return serve([...ALL_ROLES]);
    case 'serve': {
      const unknown = rest.filter((r) => !(ALL_ROLES as readonly string[]).includes(r));
      if (rest.length === 0 || unknown.length > 0) throw new UsageError(`unknown role(s): ${unknown.join(', ') || '(none given)'}; roles: ${ALL_ROLES.join(', ')}`);
      return serve(rest);
    }
    case 'agents':
      return serve(['agents']);
    case 'sandbox':
      return sandboxCommand(loadConfig(), rest, (message) => new UsageError(message));
    case 'db-migrate':
      await migrateAll(loadConfig());
      process.stdout.write('database is up to date\n');
      return;
    case 'bootstrap': {
      const config = loadConfig();
      const database = openDatabase<IdentityDb>(config.databaseUrl);
      try {
        await migrateIdentity(database.db);
        await runBootstrap(config, database.db, createLogger(config.logLevel));
      } finally {
        await database.close();
      }
      return;
    }
    case 'openrc': {
      const config = loadConfig();
      process.stdout.write(openrc(config, adminPassword(config)));
      return;
    }
    case 'endpoints': {
      const config = loadConfig();
      for (const service of catalogServices(config)) process.stdout.write(`  ${service.type.padEnd(10)} ${service.url}\n`);
      for (const [name, url] of Object.entries(consoleEndpoints(config))) process.stdout.write(`  ${name} ${url}\n`);
      return;
    }
    case 'token-keys':
      if (rest[0] !== 'rotate') throw new UsageError('token-keys takes: rotate');
      keyRepository(loadConfig()).rotate();
      process.stdout.write('token keys rotated; restart the identity service to use the new primary key\n');
      return;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`nimbus: ${err.message}\n${USAGE}\n`);
  else if (err instanceof ConfigError) process.stderr.write(`nimbus: ${err.message}\n`);
  else process.stderr.write(`nimbus: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(2);
});
