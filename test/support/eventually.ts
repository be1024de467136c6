/**
 * Polls `probe` every `everyMs` until it returns something other than undefined, and returns that.
 * A probe that throws counts as "not yet"; the last error is kept and put in the timeout message.
 */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000, everyMs = 1000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last).slice(0, 400)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
