// get_diagnostics: a running guest's diagnostics in Nova's standard shape, read from the guest
// itself — QMP for its run state, vCPUs, disks and balloon, /proc for the QEMU process's age and
// the vCPU threads' CPU time, and the taps' kernel counters in the host's namespace.
import { readFile } from 'node:fs/promises';
import { run } from '../../hostnet/exec.js';
import type { ServerDiagnostics } from '../rpc/compute-protocol.js';
import { InstanceNotFound } from './console-connect.js';
import type { InstanceFiles } from './instance-files.js';
import type { QemuDriver } from './qemu-driver.js';
import { CLOCK_TICKS_PER_SECOND, diagnosticsState, parseBalloon, parseBlockStats, parseCpus, parseProcStat, parseTapStats } from './diagnostics-parse.js';

/** The guest has no QEMU process (the API answers 409, Nova's InstanceNotRunning). */
export class InstanceNotRunning extends Error {
  override readonly name = 'InstanceNotRunning';
}

const NS_PER_TICK = 1e9 / CLOCK_TICKS_PER_SECOND;

async function procStat(path: string): Promise<ReturnType<typeof parseProcStat>> {
  return parseProcStat(await readFile(path, 'utf8').catch(() => ''));
}

async function uptimeOf(pid: number): Promise<number | null> {
  const stat = await procStat(`/proc/${pid}/stat`);
  const hostUp = Number((await readFile('/proc/uptime', 'utf8').catch(() => '')).split(' ')[0]);
  if (stat === undefined || !Number.isFinite(hostUp)) return null;
  return Math.max(0, Math.floor(hostUp - stat.startTicks / CLOCK_TICKS_PER_SECOND));
}

async function cpuDetails(pid: number, answer: unknown): Promise<ServerDiagnostics['cpu_details']> {
  return Promise.all(parseCpus(answer).map(async (cpu) => {
    const stat = cpu.threadId === null ? undefined : await procStat(`/proc/${pid}/task/${cpu.threadId}/stat`);
    return { id: cpu.index, time: stat === undefined ? null : stat.cpuTicks * NS_PER_TICK, utilisation: null };
  }));
}

export async function collectDiagnostics(driver: QemuDriver, files: InstanceFiles, uuid: string): Promise<ServerDiagnostics> {
  const record = await files.loadRecord(uuid);
  if (!record) throw new InstanceNotFound(`Instance ${uuid} could not be found.`);
  const handle = await driver.processes.adopt(uuid).catch(() => undefined);
  if (!handle) throw new InstanceNotRunning(`Instance ${uuid} is not running.`);
  const qmp = (command: string): Promise<unknown> => handle.qmp.execute<unknown>(command, undefined, { timeoutMs: 5000 });
  // Nova's manager answers only for power_state RUNNING (InstanceInvalidState otherwise).
  const status = (await qmp('query-status') as { status?: string } | undefined)?.status;
  if (status !== 'running') throw new InstanceNotRunning(`Instance ${uuid} is not running.`);
  const [cpus, blocks, balloon] = await Promise.all([qmp('query-cpus-fast'), qmp('query-blockstats'), qmp('query-balloon').catch(() => undefined)]);
  const nics = await Promise.all(record.ports.map(async (port) => {
    const out = await run('ip', ['-s', '-j', 'link', 'show', 'dev', port.tap], driver.netns === undefined ? {} : { netns: driver.netns }).catch(() => ({ stdout: '' }));
    return parseTapStats(out.stdout, port.mac);
  }));
  const disks = parseBlockStats(blocks);
  const memory = record.build.flavor.memory_mb;
  return {
    state: diagnosticsState(status),
    driver: 'libvirt',
    hypervisor: (await driver.accelerator()) === 'kvm' ? 'kvm' : 'qemu',
    hypervisor_os: 'linux',
    uptime: await uptimeOf(handle.pid),
    config_drive: await files.hasConfigDrive(uuid),
    num_cpus: record.build.flavor.vcpus,
    num_nics: nics.length,
    num_disks: disks.length,
    memory_details: { maximum: memory, used: parseBalloon(balloon) ?? memory },
    cpu_details: await cpuDetails(handle.pid, cpus),
    nic_details: nics,
    disk_details: disks,
  };
}
