// One client alternating two operations, A then B, n times, each timed on its own. On a machine
// whose speed drifts (shared cores), A and B then see the same conditions, so the difference of
// their medians means something. A's wall time is the sum of its own latencies: what one
// sequential client doing only A would have taken.
import { loadFigures, timeOperation, type LoadFigures } from './run-clients.js';

export interface AlternatingFigures {
  readonly a: LoadFigures;
  readonly bLatenciesMs: readonly number[];
}

export async function runAlternating(n: number, a: () => Promise<void>, b: () => Promise<void>): Promise<AlternatingFigures> {
  const aLatencies: number[] = [];
  const aErrors: string[] = [];
  const bLatencies: number[] = [];
  const bErrors: string[] = [];
  for (let i = 0; i < n; i++) {
    await timeOperation(a, aLatencies, aErrors);
    await timeOperation(b, bLatencies, bErrors);
  }
  if (bErrors.length > 0) throw new Error(`alternating B failed: ${bErrors[0]}`);
  const aWallS = aLatencies.reduce((sum, ms) => sum + ms, 0) / 1000;
  return { a: loadFigures(1, aLatencies, aErrors, aWallS), bLatenciesMs: bLatencies };
}
