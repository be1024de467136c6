// The admin password of a Nimbus data directory: NIMBUS_ADMIN_PASSWORD, or generated once and kept
// (mode 0600) in <dataDir>/admin-password; and the openrc that uses it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NimbusConfig } from './config.js';
import { persistentSecret } from './secrets.js';
import { ServiceAuth } from './clients/service-auth.js';

export function adminPassword(config: NimbusConfig, env: NodeJS.ProcessEnv = process.env): string {
  if (env.NIMBUS_ADMIN_PASSWORD) return env.NIMBUS_ADMIN_PASSWORD;
  return persistentSecret(config.dataDir, 'admin-password');
}

export function identityUrl(config: NimbusConfig): string {
  return `http://${config.publicHost}:${config.identity.port}/v3`;
}

export function openrc(config: NimbusConfig, password: string): string {
  const lines = {
    OS_AUTH_URL: identityUrl(config), OS_IDENTITY_API_VERSION: '3', OS_USERNAME: 'admin', OS_PASSWORD: password,
    OS_PROJECT_NAME: 'admin', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: config.region, OS_INTERFACE: 'public',
  };
  return Object.entries(lines).map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`).join('\n') + '\n';
}

export function writeOpenrc(config: NimbusConfig, password: string): string {
  const path = join(config.dataDir, 'openrc');
  writeFileSync(path, openrc(config, password), { mode: 0o600 });
  return path;
}

/** Each service's base URL on this cloud (what the catalog lists). */
export function serviceUrls(config: NimbusConfig): Readonly<Record<'identity' | 'image' | 'network' | 'placement' | 'compute', string>> {
  const at = (port: number) => `http://${config.publicHost}:${port}`;
  return {
    identity: identityUrl(config), image: at(config.image.port), network: at(config.network.port),
    placement: at(config.placement.port), compute: `${at(config.compute.port)}/v2.1`,
  };
}

/**
 * How one service calls another on this cloud: the admin's credentials (a deployment would give
 * each service its own user), endpoints from the configuration rather than the catalog.
 */
export function serviceAuth(config: NimbusConfig): ServiceAuth {
  const urls = serviceUrls(config);
  return new ServiceAuth({
    authUrl: urls.identity, username: 'admin', password: adminPassword(config), projectName: 'admin', catalog: false,
    endpointOverrides: { image: urls.image, network: urls.network, placement: urls.placement, compute: urls.compute },
  });
}
