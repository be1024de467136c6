// Which accelerator QEMU can really use here. /dev/kvm existing is not enough: on a host without
// full hardware virtualisation underneath (nested VMs), KVM answers its ioctls, runs SeaBIOS, and
// then fails on the boot loader's first protected-mode IRET ("KVM internal error. Suberror: 1",
// emulation failure) and the guest sits paused forever. So the probe boots what guests boot: a
// 1.44 MB FAT image with syslinux (made with mtools, no loop mount) whose banner on the serial port
// proves the boot loader ran. KVM is chosen only if that banner appears within the timeout; no
// /dev/kvm, a paused/internal-error guest, an exit or silence all mean TCG. The probe QEMU is
// killed by its pid; its files are removed. Without mtools/syslinux the probe falls back to "the
// KVM guest is still running after a settle time", which this kind of host would pass wrongly.
import { execFile, spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type Accelerator = 'kvm' | 'tcg';

export interface ProbeOptions {
  qemuBinary?: string;
  /** Probe again instead of returning the cached answer. */
  refresh?: boolean;
  /** How long the probe guest runs before its status is read (default: a third of the timeout, at most 1.5 s). */
  settleMs?: number;
  /** Device to check before starting QEMU (tests point it elsewhere). */
  kvmDevice?: string;
  /** Tests only: run the probe guest with this -accel instead of kvm (tcg shows the success path). */
  probeWith?: 'kvm' | 'tcg';
}

export interface ProbeResult { accelerator: Accelerator; reason: string; ms: number }

let cached: Promise<ProbeResult> | undefined;

/** 'kvm' if a KVM guest really runs here, else 'tcg'; cached for the process after the first call. */
export async function probeAccelerator(timeoutMs = 5000, options: ProbeOptions = {}): Promise<Accelerator> {
  return (await probeAcceleratorDetailed(timeoutMs, options)).accelerator;
}

/** probeAccelerator() with the reason (for logs and the hypervisor's details). */
export function probeAcceleratorDetailed(timeoutMs = 5000, options: ProbeOptions = {}): Promise<ProbeResult> {
  if (!cached || options.refresh) cached = runProbe(timeoutMs, options);
  return cached;
}

/** Forgets the cached answer (tests). */
export function resetAcceleratorProbe(): void {
  cached = undefined;
}

const PROBE_CFG = 'SERIAL 0 115200\nPROMPT 0\nTIMEOUT 0\nDEFAULT probe\nLABEL probe\n  LINUX /none\n';
const BANNER = 'SYSLINUX';

function execTool(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 10_000, env: { ...process.env, MTOOLS_SKIP_CHECK: '1' } }, (error) => (error ? reject(error) : resolve()));
  });
}

/** A syslinux floppy image in `dir`; undefined if mtools/syslinux are missing. */
async function probeDisk(dir: string): Promise<string | undefined> {
  const image = join(dir, 'probe.img');
  const cfg = join(dir, 'syslinux.cfg');
  try {
    await writeFile(image, '');
    await truncate(image, 1474560);
    await writeFile(cfg, PROBE_CFG);
    await execTool('mformat', ['-i', image, '-f', '1440', '::']);
    await execTool('mcopy', ['-i', image, cfg, '::/syslinux.cfg']);
    await execTool('syslinux', ['--install', image]);
    return image;
  } catch {
    return undefined;
  }
}

async function runProbe(timeoutMs: number, options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const done = (accelerator: Accelerator, reason: string): ProbeResult => ({ accelerator, reason, ms: Date.now() - started });
  const device = options.kvmDevice ?? '/dev/kvm';
  try {
    await access(device, fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    return done('tcg', `${device} is not available`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'nimbus-kvm-probe-'));
  try {
    const disk = await probeDisk(dir);
    const result = await runQemu(timeoutMs, options, dir, disk);
    return done(result.accelerator, result.reason);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function runQemu(timeoutMs: number, options: ProbeOptions, dir: string, disk: string | undefined): Promise<{ accelerator: Accelerator; reason: string }> {
  const settleMs = options.settleMs ?? Math.min(1500, Math.floor(timeoutMs / 3));
  const binary = options.qemuBinary ?? 'qemu-system-x86_64';
  const serial = join(dir, 'serial.log');
  const args = ['-accel', options.probeWith ?? 'kvm', '-machine', 'pc', '-m', '32', '-nodefaults', '-no-user-config', '-display', 'none', '-qmp', 'stdio',
    '-serial', `file:${serial}`];
  if (disk) args.push('-drive', `file=${disk},format=raw,if=ide,snapshot=on`);
  return new Promise((resolve) => {
    let settled = false;
    let buffer = '';
    let stderr = '';
    // Under coreutils' timeout: should this process die mid-probe (kill -9 of the agent), the
    // probe guest still ends at the deadline instead of staying behind, hung in KVM.
    const deadline = String(Math.ceil(timeoutMs / 1000) + 5);
    const child = spawn('timeout', ['--kill-after=2', deadline, binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const pid = child.pid;
    const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
    // SIGTERM to timeout is passed on to QEMU (a SIGKILL would end timeout alone).
    const kill = (): void => {
      if (pid === undefined || exited()) return;
      try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    };
    const finish = (accelerator: Accelerator, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      try { child.stdin.end('{"execute":"quit"}\n'); } catch { /* closed */ }
      // QEMU normally quits at once; make sure (by its pid), then report once it is gone.
      const killTimer = setTimeout(kill, 500);
      const report = (): void => { clearTimeout(killTimer); resolve({ accelerator, reason }); };
      if (exited()) report(); else child.once('exit', report);
    };
    const send = (command: string, id: string): void => {
      try { child.stdin.write(`${JSON.stringify({ execute: command, id })}\n`); } catch { /* closed */ }
    };
    const timer = setTimeout(() => finish('tcg', disk ? `a KVM guest did not reach its boot loader within ${timeoutMs} ms` : `no answer from a KVM guest within ${timeoutMs} ms`), timeoutMs);
    const poll = setInterval(() => {
      if (disk) {
        void readFile(serial, 'utf8').then((text) => {
          if (text.includes(BANNER)) finish('kvm', `a KVM guest booted its boot loader (${Date.now() - startedAt} ms)`);
        }, () => undefined);
      }
    }, 50);
    const startedAt = Date.now();
    child.on('error', (error) => finish('tcg', `cannot start ${binary}: ${error.message}`));
    child.on('exit', (code, signal) => finish('tcg', `QEMU with -accel kvm exited (${signal ?? code})${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
    child.stdin.on('error', () => undefined);
    child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-2000); });
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        let msg: Record<string, any>;
        try { msg = JSON.parse(line) as Record<string, any>; } catch { continue; }
        if (msg.QMP) {
          send('qmp_capabilities', 'caps');
        } else if (msg.id === 'caps') {
          // Events before the handshake are lost: ask for the status (an emulation failure may be past).
          if (disk) send('query-status', 'status');
          else setTimeout(() => send('query-status', 'status'), settleMs).unref();
        } else if (msg.id === 'status') {
          const status = msg.return?.status as string | undefined;
          if (status === 'running') {
            if (!disk) finish('kvm', `a KVM guest ran for ${settleMs} ms (weak probe: no syslinux/mtools)`);
            else setTimeout(() => send('query-status', 'status'), 200).unref();
          } else {
            finish('tcg', `a KVM guest is in state ${status ?? JSON.stringify(msg.error ?? msg)}`);
          }
        } else if (msg.event === 'STOP' || msg.event === 'SHUTDOWN' || msg.event === 'GUEST_PANICKED') {
          finish('tcg', `a KVM guest stopped (${msg.event}${stderr.includes('KVM internal error') ? ', KVM internal error' : ''})`);
        }
      }
    });
  });
}
