// Tracks handler runs so a graceful stop can wait for them: with AMQP the message is only
// acknowledged when its handler finishes, so stopping earlier would redeliver it elsewhere.
export class InFlight {
  readonly #running = new Set<Promise<unknown>>();

  track(work: Promise<unknown>): void {
    const settled = work.then(() => undefined, () => undefined);
    this.#running.add(settled);
    void settled.then(() => this.#running.delete(settled));
  }

  async drain(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running);
  }
}
