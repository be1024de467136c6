// Client side of RPC, shared by every driver: calls waiting for their reply, keyed by
// correlation id, each with its own timeout. A late or duplicate reply finds no entry and is
// dropped, which is what makes redelivery of a call harmless to the caller.
import { BusTimeoutError, RemoteError } from './errors.js';
import { decodeReply } from './wire.js';
import type { ReplyMessage } from './wire.js';

interface Waiter {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

export class PendingCalls {
  readonly #waiters = new Map<string, Waiter>();

  /** Registers a call before its request is sent, so even an instant reply finds it. */
  wait(correlationId: string, target: string, method: string, timeoutMs: number): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(correlationId);
        reject(new BusTimeoutError(target, method, timeoutMs));
      }, timeoutMs);
      this.#waiters.set(correlationId, { resolve, reject, timer });
    });
  }

  /** Settles the call a reply answers; a malformed reply fails it with BusMessageError. */
  settle(correlationId: string, body: string): void {
    const waiter = this.#waiters.get(correlationId);
    if (waiter === undefined) return;
    this.#finish(correlationId, waiter);
    let reply: ReplyMessage;
    try {
      reply = decodeReply(body);
    } catch (error) {
      waiter.reject(error as Error);
      return;
    }
    if (reply.ok) waiter.resolve(reply.result);
    else waiter.reject(new RemoteError(reply.error.name, reply.error.message));
  }

  /** Fails one call, e.g. when its request could not be published. */
  fail(correlationId: string, error: Error): void {
    const waiter = this.#waiters.get(correlationId);
    if (waiter === undefined) return;
    this.#finish(correlationId, waiter);
    waiter.reject(error);
  }

  failAll(error: Error): void {
    for (const id of [...this.#waiters.keys()]) this.fail(id, error);
  }

  get size(): number {
    return this.#waiters.size;
  }

  #finish(correlationId: string, waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(correlationId);
  }
}
