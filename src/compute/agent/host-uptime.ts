// get_host_uptime: the host's `uptime` line (Nova's libvirt driver runs `env LANG=C uptime` and
// returns its output), built from /proc/uptime and /proc/loadavg instead of forking a tool.
// The user count needs utmp, which hosts in containers rarely keep: it is always 0 here.
import { readFile } from 'node:fs/promises';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** procps' format: " 14:03:22 up 3 days,  2:07,  0 users,  load average: 0.10, 0.05, 0.01". */
export function formatUptime(now: Date, uptimeSeconds: number, loads: readonly [number, number, number]): string {
  const clock = `${pad2(now.getHours())}:${pad2(now.getMinutes())}:${pad2(now.getSeconds())}`;
  const total = Math.floor(uptimeSeconds / 60);
  const days = Math.floor(total / 1440);
  const hours = Math.floor((total % 1440) / 60);
  const minutes = total % 60;
  const dayPart = days > 0 ? `${days} day${days === 1 ? '' : 's'}, ` : '';
  const timePart = hours > 0 ? `${String(hours).padStart(2)}:${pad2(minutes)}` : `${minutes} min`;
  const load = loads.map((l) => l.toFixed(2)).join(', ');
  return ` ${clock} up ${dayPart}${timePart},  0 users,  load average: ${load}`;
}

export function parseLoadavg(text: string): [number, number, number] {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  return [a ?? 0, b ?? 0, c ?? 0].map((n) => (Number.isFinite(n) ? n : 0)) as [number, number, number];
}

export async function hostUptime(now = new Date()): Promise<string> {
  const [uptime, loadavg] = await Promise.all([readFile('/proc/uptime', 'utf8'), readFile('/proc/loadavg', 'utf8')]);
  const seconds = Number(uptime.split(' ')[0]);
  return formatUptime(now, Number.isFinite(seconds) ? seconds : 0, parseLoadavg(loadavg));
}
