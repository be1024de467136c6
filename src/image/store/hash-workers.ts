// The MD5 hashing thread shared by every upload in the process, started on first use. A worker is ref'd only while some upload uses it, so an idle store never keeps the
// process alive; if one dies, the uploads using it fail and the next upload starts a new one.
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-worker.js';

export interface HashListener {
  reply(reply: HashReply): void;
  fail(error: Error): void;
}

export class HashWorker {
  private worker: Worker | undefined;
  private readonly listeners = new Map<number, HashListener>();

  constructor(readonly algorithm: 'md5' | 'sha512') {}

  attach(job: number, listener: HashListener): void {
    this.listeners.set(job, listener);
    this.running().ref();
  }

  detach(job: number): void {
    if (!this.listeners.delete(job)) return;
    this.worker?.postMessage({ op: 'drop', job } satisfies HashRequest);
    if (this.listeners.size === 0) this.worker?.unref();
  }

  post(request: HashRequest): void {
    this.running().postMessage(request);
  }

  private running(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL('./hash-worker.js', import.meta.url), { workerData: { algorithm: this.algorithm } });
    worker.on('message', (reply: HashReply) => this.listeners.get(reply.job)?.reply(reply));
    worker.on('error', (err) => this.lost(worker, err));
    worker.on('exit', (code) => this.lost(worker, new Error(`${this.algorithm} hash worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }

  private lost(worker: Worker, error: Error): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    const listeners = [...this.listeners.values()];
    this.listeners.clear();
    for (const listener of listeners) listener.fail(error);
  }
}

let shared: HashWorker | undefined;

export function sharedMd5Worker(): HashWorker {
  shared ??= new HashWorker('md5');
  return shared;
}
