// Pure readers of what get_diagnostics gathers: QMP's answers (query-status, query-cpus-fast,
// query-blockstats, query-balloon), `ip -s -j link show` and /proc/<pid>/stat, turned into the
// pieces of Nova's standard diagnostics. Kept apart from the gathering so they are unit-tested.
import type { ServerDiagnostics } from '../rpc/compute-protocol.js';

/** Linux's USER_HZ: /proc times are in these ticks on every architecture QEMU runs on here. */
export const CLOCK_TICKS_PER_SECOND = 100;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Obj : {});
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null);

/** QEMU's run state (query-status) as Nova's diagnostics state (libvirt's domain state names). */
export function diagnosticsState(status: string | undefined): ServerDiagnostics['state'] {
  switch (status) {
    case 'running': return 'running';
    case 'prelaunch': case 'inmigrate': return 'pending';
    case 'shutdown': return 'shutdown';
    case 'internal-error': case 'guest-panicked': case 'io-error': return 'crashed';
    case 'suspended': return 'suspended';
    default: return 'paused';
  }
}

/** /proc/<pid>/stat: utime + stime (ticks) and starttime (ticks after boot); the name may hold spaces. */
export function parseProcStat(text: string): { cpuTicks: number; startTicks: number } | undefined {
  const end = text.lastIndexOf(')');
  if (end < 0) return undefined;
  // Fields after the name start at field 3 (state); utime is 14, stime 15, starttime 22.
  const fields = text.slice(end + 2).trim().split(/\s+/);
  const [utime, stime, start] = [Number(fields[11]), Number(fields[12]), Number(fields[19])];
  if (![utime, stime, start].every((n) => Number.isSafeInteger(n) && n >= 0)) return undefined;
  return { cpuTicks: utime + stime, startTicks: start };
}

/** query-cpus-fast: the vCPUs' indexes and host thread ids. */
export function parseCpus(answer: unknown): Array<{ index: number; threadId: number | null }> {
  return (Array.isArray(answer) ? answer : []).map((c) => ({ index: count(obj(c)['cpu-index']) ?? 0, threadId: count(obj(c)['thread-id']) }));
}

/** query-blockstats: one row per disk that has a medium (an empty CD drive is no disk). */
export function parseBlockStats(answer: unknown): ServerDiagnostics['disk_details'] {
  return (Array.isArray(answer) ? answer : []).filter((d) => obj(d).stats !== undefined && (obj(d).device !== '' || obj(d).qdev !== undefined)).map((d) => {
    const s = obj(obj(d).stats);
    const failed = [count(s.failed_rd_operations), count(s.failed_wr_operations), count(s.failed_flush_operations)];
    return {
      read_bytes: count(s.rd_bytes), read_requests: count(s.rd_operations),
      write_bytes: count(s.wr_bytes), write_requests: count(s.wr_operations),
      errors_count: failed.every((n) => n === null) ? null : failed.reduce<number>((a, n) => a + (n ?? 0), 0),
    };
  });
}

/** query-balloon's actual size (bytes) in MiB; null without a balloon device. */
export function parseBalloon(answer: unknown): number | null {
  const actual = count(obj(answer).actual);
  return actual === null ? null : Math.floor(actual / 1024 / 1024);
}

/** `ip -s -j link show dev <tap>`'s counters, turned to the guest's side (what the tap receives, the guest sent). */
export function parseTapStats(json: string, mac: string): ServerDiagnostics['nic_details'][number] {
  let link: Obj = {};
  try { link = obj((JSON.parse(json) as unknown[])[0]); } catch { /* an unreadable answer: no counters */ }
  const stats = obj(link.stats64 ?? link.stats);
  const tapRx = obj(stats.rx);
  const tapTx = obj(stats.tx);
  return {
    mac_address: mac,
    rx_octets: count(tapTx.bytes), rx_errors: count(tapTx.errors), rx_drop: count(tapTx.dropped), rx_packets: count(tapTx.packets), rx_rate: null,
    tx_octets: count(tapRx.bytes), tx_errors: count(tapRx.errors), tx_drop: count(tapRx.dropped), tx_packets: count(tapRx.packets), tx_rate: null,
  };
}
