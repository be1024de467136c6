// When a guest that was (re)booted is up again: "nimbus-init: ready" written to its console log
// since the boot began (acpid, which turns QMP's power button into a clean poweroff, starts just
// before that line — a guest that answers ping may still ignore the button), then a ping reply.
// The console log of an instance lives on its host (<dataDir>/compute/<host>/instances/<uuid>/
// console.log) and a boot appends to it, so mark() notes every host's log size before a step
// that boots, and waitUp() reads the current host's log from that offset.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitGuestPing } from './guest-ping.js';

const READY = 'nimbus-init: ready';

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export class GuestReadiness {
  /** Log sizes per host before the last step that boots, until the guest was seen up after it. */
  #pending: Map<string, number> | undefined;

  constructor(private readonly dataDir: string, private readonly hosts: readonly string[], private readonly netns: string) {}

  #consoleLog(host: string, uuid: string): string {
    return join(this.dataDir, 'compute', host, 'instances', uuid, 'console.log');
  }

  /** Before a step that boots the guest: where each host's console log ends now. */
  mark(uuid: string): void {
    this.#pending = new Map(this.hosts.map((h) => [h, Buffer.byteLength(readText(this.#consoleLog(h, uuid)))]));
  }

  /** Until the guest on `host` printed ready since the mark (if any), then answers ping at `ip`. */
  async waitUp(uuid: string, host: string, ip: string, timeoutMs = 180_000): Promise<void> {
    const pending = this.#pending;
    const deadline = Date.now() + timeoutMs;
    while (pending !== undefined) {
      const text = readFileSync(this.#consoleLog(host, uuid)).subarray(pending.get(host) ?? 0).toString();
      if (text.includes(READY)) break;
      if (Date.now() > deadline) throw new Error(`guest ${uuid} on ${host}: no "${READY}" in its console in ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 100));
    }
    this.#pending = undefined;
    await waitGuestPing(this.netns, ip, Math.max(5000, deadline - Date.now()));
  }
}
