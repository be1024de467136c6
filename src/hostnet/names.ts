// Validation of every name that reaches a command line. Strict on purpose: these strings become
// argv elements of ip/bridge/nft, and nft re-parses its argv as one string.
import { HostnetError } from './exec.js';

/** A value was refused before any command ran. */
export class HostnetInputError extends HostnetError {
  constructor(kind: string, value: string, why: string) {
    super(`invalid ${kind} ${JSON.stringify(value)}: ${why}`, { command: '', args: [value] });
    this.name = 'HostnetInputError';
  }
}

const SAFE = /^[A-Za-z0-9_.-]+$/;

function checkName(kind: string, name: unknown, max: number): string {
  if (typeof name !== 'string') throw new HostnetInputError(kind, String(name), 'not a string');
  if (name.length < 1 || name.length > max) throw new HostnetInputError(kind, name, `must be 1-${max} characters`);
  if (!SAFE.test(name)) throw new HostnetInputError(kind, name, 'only letters, digits, "_", "." and "-" are allowed');
  // A leading "-" would be read as an option; "." and ".." are path components.
  if (name.startsWith('-')) throw new HostnetInputError(kind, name, 'must not start with "-"');
  if (name === '.' || name === '..') throw new HostnetInputError(kind, name, 'reserved name');
  return name;
}

/** Linux interface name: IFNAMSIZ-1 = 15 characters. */
export function assertIfName(name: string): string {
  return checkName('interface name', name, 15);
}

/** Network namespace name (a file under /run/netns). */
export function assertNetnsName(name: string): string {
  return checkName('namespace name', name, 200);
}

/** Daemon id (a pidfile name under <stateDir>/pids). */
export function assertDaemonId(id: string): string {
  return checkName('daemon id', id, 200);
}
