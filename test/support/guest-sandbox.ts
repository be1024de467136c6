// What the end-to-end compute tests share: the all-in-one's environment for a sandbox of
// simulated hosts (with the bootstrap guest image), the sandbox's teardown, and SSH into a guest
// as `cirros` with a test key. Root and QEMU are needed (`computeE2eSkip`).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why an end-to-end compute test cannot run here, or false. */
export const computeE2eSkip: string | false = process.getuid?.() !== 0 ? 'needs root'
  : !existsSync('/usr/bin/qemu-system-x86_64') ? 'needs qemu-system-x86' : false;

/** The all-in-one's environment for sandbox `name` with `hosts` simulated hosts. */
export function sandboxEnv(name: string, hosts: number, uplink: boolean): Record<string, string> {
  return { NIMBUS_DATAPLANE: 'sandbox', NIMBUS_SANDBOX_NAME: name, NIMBUS_SANDBOX_HOSTS: String(hosts), NIMBUS_UPLINK: String(uplink), NIMBUS_GUEST_IMAGE: '1' };
}

/** `nimbus sandbox destroy` for that environment's sandbox. */
export function destroySandbox(env: Record<string, string>): Promise<unknown> {
  return run('bin/nimbus', ['sandbox', 'destroy'], { env: { ...process.env, ...env } });
}

/** Runs a command in a guest over SSH as cirros with the private key at `key`. */
export function guestSsh(key: string, options: { connectTimeoutS?: number; timeoutMs?: number } = {}) {
  return (ip: string, command: string) => run('ssh', ['-i', key, '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null',
    '-o', `ConnectTimeout=${options.connectTimeoutS ?? 5}`, '-o', 'BatchMode=yes', `cirros@${ip}`, command], { timeout: options.timeoutMs ?? 30_000 });
}
