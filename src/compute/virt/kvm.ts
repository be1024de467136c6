// Which accelerator QEMU can really use here. /dev/kvm existing is not enough: on a host without
// hardware virtualisation underneath (nested VMs), KVM answers its ioctls and then the first guest
// instructions fail with "KVM internal error" and the VM sits paused forever. So the probe boots a
// tiny machine (no disk: SeaBIOS runs) with -accel kvm and asks QMP, after a short settle time,
// whether it is still running. Anything else — no /dev/kvm, no greeting within the timeout, an
// error, a status other than running — means TCG. The probe process is killed by its pid.
import { spawn } from 'node:child_process';
import { constants as fsConstants } from 'node:fs';
import { access } from 'node:fs/promises';

export type Accelerator = 'kvm' | 'tcg';

export interface ProbeOptions {
  qemuBinary?: string;
  /** Probe again instead of returning the cached answer. */
  refresh?: boolean;
  /** How long the probe guest runs before its status is read (default: a third of the timeout, at most 1.5 s). */
  settleMs?: number;
  /** Device to check before starting QEMU (tests point it elsewhere). */
  kvmDevice?: string;
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

async function runProbe(timeoutMs: number, options: ProbeOptions): Promise<ProbeResult> {
  const started = Date.now();
  const done = (accelerator: Accelerator, reason: string): ProbeResult => ({ accelerator, reason, ms: Date.now() - started });
  const device = options.kvmDevice ?? '/dev/kvm';
  try {
    await access(device, fsConstants.R_OK | fsConstants.W_OK);
  } catch {
    return done('tcg', `${device} is not available`);
  }
  const settleMs = options.settleMs ?? Math.min(1500, Math.floor(timeoutMs / 3));
  const binary = options.qemuBinary ?? 'qemu-system-x86_64';
  const args = ['-accel', 'kvm', '-machine', 'pc', '-m', '16', '-nodefaults', '-no-user-config', '-display', 'none', '-qmp', 'stdio'];
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let buffer = '';
    let stderr = '';
    const child = spawn(binary, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const pid = child.pid;
    const kill = (): void => {
      if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
    };
    const finish = (accelerator: Accelerator, reason: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(settleTimer);
      try { child.stdin.end('{"execute":"quit"}\n'); } catch { /* closed */ }
      // Give QEMU a moment to quit by itself, then make sure (by its pid).
      setTimeout(kill, 500).unref();
      resolve(done(accelerator, reason));
    };
    const send = (command: string, id: string): void => {
      try { child.stdin.write(`${JSON.stringify({ execute: command, id })}\n`); } catch { /* closed */ }
    };
    const timer = setTimeout(() => { kill(); finish('tcg', `no answer from a KVM guest within ${timeoutMs} ms`); }, timeoutMs);
    let settleTimer: NodeJS.Timeout | undefined;
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
          settleTimer = setTimeout(() => send('query-status', 'status'), settleMs);
        } else if (msg.id === 'status') {
          const status = msg.return?.status as string | undefined;
          if (status === 'running') finish('kvm', `a KVM guest ran for ${settleMs} ms`);
          else finish('tcg', `a KVM guest is in state ${status ?? JSON.stringify(msg.error ?? msg)}`);
        } else if (msg.event === 'SHUTDOWN' || msg.event === 'GUEST_PANICKED') {
          finish('tcg', `a KVM guest stopped: ${msg.event}`);
        }
      }
    });
  });
}
