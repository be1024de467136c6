// A metadata proxy as a supervised daemon: writes the haproxy config and returns the DaemonSpec the
// caller hands to Daemons.ensure (haproxy -db: in the foreground, so Daemons holds its real pid).
// Used by the DHCP agent (isolated networks: 169.254.169.254:80 in qdhcp-…) and the L3 agent
// (routers: 0.0.0.0:9697 in qrouter-…, where an nft rule redirects 169.254.169.254:80).
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DaemonSpec } from '../../../hostnet/index.js';
import { renderMetadataProxyConfig } from './proxy-config.js';

export interface MetadataProxyOptions {
  /** Daemons id, e.g. `haproxy-qdhcp-<network-id>` or `haproxy-qrouter-<router-id>`. */
  readonly id: string;
  /** Namespace haproxy runs in. */
  readonly netns?: string;
  readonly bindAddress: string;
  readonly port: number;
  /** Exactly one of routerId / networkId: stamped as X-Neutron-Router-ID / X-Neutron-Network-ID. */
  readonly routerId?: string;
  readonly networkId?: string;
  /** This host's metadata agent socket. */
  readonly socketPath: string;
  /** Directory for the config (and log) file; created if missing. */
  readonly stateDir: string;
}

const ID = /^[A-Za-z0-9_.-]{1,200}$/;

/**
 * Writes `<stateDir>/<id>.<hash>.cfg` and returns the spec to pass to Daemons.ensure. The file name
 * carries a hash of the contents, so a changed configuration changes the command line and
 * Daemons.ensure restarts haproxy instead of adopting the old one; older config files of the same
 * id are removed. Idempotent: same options → same file, same spec.
 */
export function metadataProxyDaemon(options: MetadataProxyOptions): DaemonSpec {
  if (!ID.test(options.id) || options.id.startsWith('-')) throw new Error(`metadata proxy: invalid daemon id ${JSON.stringify(options.id)}`);
  const config = renderMetadataProxyConfig(options);
  const hash = createHash('sha256').update(config).digest('hex').slice(0, 12);
  const file = join(options.stateDir, `${options.id}.${hash}.cfg`);
  mkdirSync(options.stateDir, { recursive: true });
  let current: string | undefined;
  try { current = readFileSync(file, 'utf8'); } catch { current = undefined; }
  if (current !== config) {
    const tmp = `${file}.tmp-${process.pid}`;
    writeFileSync(tmp, config, { mode: 0o644 });
    renameSync(tmp, file);
  }
  for (const name of readdirSync(options.stateDir)) {
    if (name.startsWith(`${options.id}.`) && name.endsWith('.cfg') && name !== `${options.id}.${hash}.cfg`
      && /^[0-9a-f]{12}\.cfg$/.test(name.slice(options.id.length + 1))) {
      rmSync(join(options.stateDir, name), { force: true });
    }
  }
  return {
    id: options.id,
    ...(options.netns !== undefined ? { netns: options.netns } : {}),
    command: 'haproxy',
    args: ['-db', '-f', file],
    logFile: join(options.stateDir, `${options.id}.log`),
  };
}
