// SHA-512 (on the event loop) and MD5 (on the hash worker) of one upload. Chunks for the worker
// are copied into a few shared 1 MiB slots; a full slot is posted and reused once the worker is
// done with it. With every slot busy, update() returns a promise: backpressure, so memory stays
// at SLOTS × SLOT_BYTES per upload however fast the client sends.
import { createHash } from 'node:crypto';
import type { HashReply } from './hash-worker.js';
import { sharedMd5Worker, type HashWorker } from './hash-workers.js';

const SLOT_BYTES = 1024 * 1024;
const SLOTS = 4;
let nextJob = 1;

export interface Digests {
  readonly md5: string;
  readonly sha512: string;
}

export class ParallelDigest {
  private readonly job = nextJob++;
  private readonly sha512 = createHash('sha512');
  private readonly worker: HashWorker = sharedMd5Worker();
  private readonly slots: Buffer[] = [];
  private readonly free: number[] = [];
  private current = -1;
  private filled = 0;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private md5: string | undefined;
  private finished: (() => void) | undefined;

  constructor() {
    this.worker.attach(this.job, { reply: (reply) => this.onReply(reply), fail: (error) => this.onFail(error) });
  }

  /** Hashes `chunk` (a copy goes to the worker); returns a promise only when it must wait for a free slot. */
  update(chunk: Buffer): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    this.sha512.update(chunk);
    return this.copyOut(chunk);
  }

  async digest(): Promise<Digests> {
    if (!this.failure) {
      if (this.current >= 0 && this.filled > 0) this.send();
      const done = new Promise<void>((resolve) => { this.finished = resolve; });
      this.worker.post({ op: 'digest', job: this.job });
      await done;
    }
    this.release();
    if (this.failure || this.md5 === undefined) throw this.failure ?? new Error('md5 digest missing');
    return { md5: this.md5, sha512: this.sha512.digest('hex') };
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
      this.worker.post({ op: 'slot', job: this.job, slot, buffer });
    }
    if (slot === undefined) return false;
    this.current = slot;
    this.filled = 0;
    return true;
  }

  private send(): void {
    this.worker.post({ op: 'update', job: this.job, slot: this.current, length: this.filled });
    this.current = -1;
    this.filled = 0;
  }

  private onReply(reply: HashReply): void {
    if (reply.op === 'done') {
      this.free.push(reply.slot);
      this.wakeUp();
    } else {
      this.md5 = reply.hex;
      this.finished?.();
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
    this.worker.detach(this.job);
  }
}
