// MD5 and SHA-512 of one upload, each on its own worker thread (hash-workers.ts), so the event
// loop only copies bytes and moves them to disk. Chunks are copied once into a few shared
// SLOT_BYTES slots; a full slot is posted (by number) to both workers, which hash the same
// memory, and is reused once both are done with it. With every slot busy, update() returns a
// promise: backpressure, so memory stays at SLOTS × SLOT_BYTES per upload however fast the
// client sends.
import type { HashReply } from './hash-worker.js';
import { sharedHashWorker, type HashWorker } from './hash-workers.js';

const SLOT_BYTES = 1024 * 1024;
const SLOTS = 4;
const ALGORITHMS = ['md5', 'sha512'] as const;
let nextJob = 1;

export interface Digests {
  readonly md5: string;
  readonly sha512: string;
}

export class ParallelDigest {
  private readonly job = nextJob++;
  private readonly workers: readonly HashWorker[] = ALGORITHMS.map((algorithm) => sharedHashWorker(algorithm));
  private readonly slots: Buffer[] = [];
  /** Per slot: how many workers still hash it. */
  private readonly busy: number[] = [];
  private readonly free: number[] = [];
  private readonly hex = new Map<string, string>();
  private current = -1;
  private filled = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private finished: (() => void) | undefined;

  constructor() {
    for (const worker of this.workers) {
      worker.attach(this.job, { reply: (reply) => this.onReply(worker, reply), fail: (error) => this.onFail(error) });
    }
  }

  /** Hashes `chunk` (copied into a shared slot); returns a promise only when it must wait for a free slot. */
  update(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    return this.copyOut(chunk);
  }

  async digest(): Promise<Digests> {
    if (!this.failure) {
      if (this.current >= 0 && this.filled > 0) this.send();
      const done = new Promise<void>((resolve) => { this.finished = resolve; });
      for (const worker of this.workers) worker.post({ op: 'digest', job: this.job });
      await done;
    }
    this.release();
    const md5 = this.hex.get('md5');
    const sha512 = this.hex.get('sha512');
    if (this.failure || md5 === undefined || sha512 === undefined) throw this.failure ?? new Error('digest missing');
    return { md5, sha512 };
  }

  /** Forgets the upload (aborted or refused). */
  cancel(): void {
    this.release();
  }

  private copyOut(chunk: Buffer): Promise<void> | undefined {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.current < 0 && !this.takeSlot()) {
        const rest = chunk.subarray(offset);
        return new Promise<void>((resolve) => { this.wake = resolve; }).then(() => {
          if (this.failure) throw this.failure;
          return this.copyOut(rest);
        });
      }
      const n = Math.min(SLOT_BYTES - this.filled, chunk.length - offset);
      chunk.copy(this.slots[this.current]!, this.filled, offset, offset + n);
      this.filled += n;
      offset += n;
      if (this.filled === SLOT_BYTES) this.send();
    }
    return undefined;
  }

  private takeSlot(): boolean {
    let slot = this.free.pop();
    if (slot === undefined && this.slots.length < SLOTS) {
      slot = this.slots.length;
      const buffer = new SharedArrayBuffer(SLOT_BYTES);
      this.slots.push(Buffer.from(buffer));
      this.busy.push(0);
      for (const worker of this.workers) worker.post({ op: 'slot', job: this.job, slot, buffer });
    }
    if (slot === undefined) return false;
    this.current = slot;
    this.filled = 0;
    return true;
  }

  private send(): void {
    this.busy[this.current] = this.workers.length;
    for (const worker of this.workers) worker.post({ op: 'update', job: this.job, slot: this.current, length: this.filled });
    this.current = -1;
    this.filled = 0;
  }

  private onReply(worker: HashWorker, reply: HashReply): void {
    if (reply.op === 'done') {
      if (--this.busy[reply.slot]! > 0) return;
      this.free.push(reply.slot);
      this.wakeUp();
    } else {
      this.hex.set(worker.algorithm, reply.hex);
      if (this.hex.size === this.workers.length) this.finished?.();
    }
  }

  private onFail(error: Error): void {
    this.failure ??= error;
    this.wakeUp();
    this.finished?.();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private release(): void {
    for (const worker of this.workers) worker.detach(this.job);
  }
}
