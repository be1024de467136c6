// A throw-away "compute host" network for booting real guests (root only): a namespace
// nimbus-t<pid>-<tag> holding a bridge with the gateway address and 169.254.169.254, a dnsmasq
// serving static leases (router, classless routes, MTU) and a tiny metadata HTTP server (Node,
// started with `ip netns exec`) serving files the test writes. Daemons are supervised by hostnet's
// Daemons (pidfiles), and close() stops them by pid and deletes the namespace and every file.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Daemons, NetnsHost, deleteNetns, ensureNetns, run } from '../../../src/hostnet/index.js';

export const BRIDGE = 'brguest';
export const GATEWAY = '10.93.0.1';
export const PREFIX_LEN = 24;
export const MTU = 1450;
export const METADATA_IP = '169.254.169.254';

const METADATA_SERVER = `
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join, normalize } from 'node:path';
const [root, host] = process.argv.slice(2);
createServer(async (req, res) => {
  const path = normalize(decodeURIComponent((req.url ?? '/').split('?')[0]));
  let status = 404;
  try {
    if (path.includes('..')) throw new Error('bad path');
    const body = await readFile(join(root, path));
    status = 200;
    res.writeHead(200, { 'content-type': path.endsWith('.json') ? 'application/json' : 'text/plain' });
    res.end(body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 Not Found');
  }
  process.stdout.write(req.method + ' ' + path + ' ' + status + ' from ' + req.socket.remoteAddress + '\\n');
}).listen(80, host, () => process.stdout.write('listening\\n'));
`;

export interface GuestNet {
  readonly netns: string;
  readonly stateDir: string;
  readonly daemons: Daemons;
  /** A static DHCP lease (SIGHUP to dnsmasq). */
  addLease(mac: string, ip: string, hostname: string): Promise<void>;
  /** Writes a metadata file served at `path` (e.g. /openstack/latest/meta_data.json). */
  setMetadata(path: string, content: string): void;
  /** Lines "GET <path> <status> from <ip>" the metadata server logged. */
  metadataRequests(): string[];
  /** Waits for a tap (created by QEMU in this namespace) and plugs it into the bridge, as the L2 agent would. */
  plugTap(tap: string, timeoutMs?: number): Promise<void>;
  /** Runs ssh (OpenSSH, else dropbear's dbclient) from the namespace with the test's key; resolves stdout. */
  ssh(user: string, ip: string, command: string, timeoutMs?: number): Promise<string>;
  readonly privateKeyPath: string;
  readonly publicKey: string;
  close(): Promise<void>;
}

export async function startGuestNet(tag: string): Promise<GuestNet> {
  const netns = `nimbus-t${process.pid}-${tag}`;
  const stateDir = mkdtempSync(join(tmpdir(), `nimbus-${tag}-`));
  chmodSync(stateDir, 0o755); // dnsmasq rereads its hosts file after dropping privileges
  const daemons = new Daemons(stateDir);
  const host = new NetnsHost(netns);
  const hostsFile = join(stateDir, 'dhcp-hosts');
  const mdRoot = join(stateDir, 'metadata');
  const mdLog = join(stateDir, 'metadata.log');
  const key = join(stateDir, 'id_ed25519');
  const leases: string[] = [];
  const dnsmasqId = `guest-dnsmasq-${tag}`;
  const useOpenssh = process.env.NIMBUS_TEST_SSH_CLIENT !== 'dbclient' && existsSync('/usr/bin/ssh') && existsSync('/usr/bin/ssh-keygen');

  const close = async (): Promise<void> => {
    for (const id of await daemons.running().catch(() => [] as string[])) await daemons.stop(id, 2000).catch(() => undefined);
    await deleteNetns(netns).catch(() => undefined);
    rmSync(stateDir, { recursive: true, force: true });
  };

  try {
    await ensureNetns(netns);
    await host.addBridge(BRIDGE, { mtu: MTU });
    await host.setLink(BRIDGE, { up: true });
    await host.addAddress(BRIDGE, `${GATEWAY}/${PREFIX_LEN}`);
    await host.addAddress(BRIDGE, `${METADATA_IP}/32`);
    writeFileSync(hostsFile, '');
    mkdirSync(mdRoot, { recursive: true });
    await daemons.ensure({
      id: dnsmasqId, netns, command: 'dnsmasq', logFile: join(stateDir, 'dnsmasq.log'),
      args: ['--no-hosts', '--no-resolv', '--keep-in-foreground', '--port=0', '--user=root', `--pid-file=${join(stateDir, 'dnsmasq.pid')}`,
        `--dhcp-hostsfile=${hostsFile}`, `--dhcp-leasefile=${join(stateDir, 'leases')}`, '--dhcp-authoritative', '--bind-interfaces',
        `--interface=${BRIDGE}`, '--except-interface=lo', `--dhcp-range=${GATEWAY.replace(/\.1$/, '.0')},static,255.255.255.0,86400s`,
        `--dhcp-option=option:router,${GATEWAY}`,
        `--dhcp-option=option:classless-static-route,${METADATA_IP}/32,${GATEWAY},0.0.0.0/0,${GATEWAY}`,
        `--dhcp-option-force=option:mtu,${MTU}`, '--log-dhcp', '--conf-file=/dev/null'],
    });
    const serverFile = join(stateDir, 'metadata-server.mjs');
    writeFileSync(serverFile, METADATA_SERVER);
    await daemons.ensure({ id: `guest-metadata-${tag}`, netns, command: process.execPath, args: [serverFile, mdRoot, METADATA_IP], logFile: mdLog });
    for (let i = 0; i < 100 && !readFileSync(mdLog, 'utf8').includes('listening'); i++) await sleep(50);
    if (useOpenssh) {
      await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'nimbus-test', '-f', key]);
    } else {
      // Without OpenSSH: dropbear's key and client (dropbear-bin is a run dependency).
      await run('dropbearkey', ['-t', 'ed25519', '-f', key]);
      const { stdout } = await run('dropbearkey', ['-y', '-f', key]);
      writeFileSync(`${key}.pub`, `${stdout.split('\n').find((l) => l.startsWith('ssh-'))}\n`);
    }
  } catch (error) {
    await close();
    throw error;
  }

  return {
    netns, stateDir, daemons, privateKeyPath: key, publicKey: readFileSync(`${key}.pub`, 'utf8').trim(),
    async addLease(mac, ip, hostname) {
      leases.push(`${mac},${hostname},${ip}`);
      writeFileSync(hostsFile, leases.map((l) => `${l}\n`).join(''));
      await daemons.signal(dnsmasqId, 'SIGHUP');
    },
    setMetadata(path, content) {
      const file = join(mdRoot, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
    },
    metadataRequests() {
      try {
        return readFileSync(mdLog, 'utf8').split('\n').filter((l) => /^(GET|HEAD|POST) /.test(l));
      } catch {
        return [];
      }
    },
    async plugTap(tap, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await host.link(tap))) {
        if (Date.now() > deadline) throw new Error(`tap ${tap} did not appear in ${netns}`);
        await sleep(25);
      }
      await host.setLink(tap, { master: BRIDGE, mtu: MTU, up: true });
    },
    async ssh(user, ip, command, timeoutMs = 30_000) {
      const { stdout } = useOpenssh
        ? await run('ssh', ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
          '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10', '-o', 'LogLevel=ERROR', `${user}@${ip}`, command], { netns, timeoutMs })
        : await run('dbclient', ['-y', '-y', '-i', key, `${user}@${ip}`, command], { netns, timeoutMs });
      return stdout;
    },
    close,
  };
}

/** Polls `probe` until it returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number, detail?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}${detail ? `\n${detail()}` : ''}`);
    }
    await sleep(200);
  }
}

/** Contents of a file, '' if it does not exist (yet). */
export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
