// Closed-loop load: `clients` callers, each doing `perClient` operations back to back; every
// operation is timed on its own, the throughput is successful operations over wall time.
import { performance } from 'node:perf_hooks';
import { round2, summarizeLatencies, type LatencySummary } from './stats.js';

export interface LoadFigures extends LatencySummary {
  readonly n: number;
  readonly clients: number;
  readonly errors: number;
  readonly wall_s: number;
  readonly ops_per_s: number | null;
  readonly first_error?: string;
}

export async function runClients(clients: number, perClient: number, operation: () => Promise<void>): Promise<LoadFigures> {
  const latencies: number[] = [];
  const errors: string[] = [];
  const client = async (): Promise<void> => {
    for (let i = 0; i < perClient; i++) await timeOperation(operation, latencies, errors);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, client));
  return loadFigures(clients, latencies, errors, (performance.now() - t0) / 1000);
}

/** Runs one operation, recording its latency on success or its message on failure. */
export async function timeOperation(operation: () => Promise<void>, latencies: number[], errors: string[]): Promise<void> {
  const start = performance.now();
  try {
    await operation();
    latencies.push(performance.now() - start);
  } catch (err) {
    errors.push((err as Error).message.slice(0, 300));
  }
}

export function loadFigures(clients: number, latencies: readonly number[], errors: readonly string[], wallS: number): LoadFigures {
  return {
    n: latencies.length + errors.length,
    clients,
    errors: errors.length,
    wall_s: round2(wallS)!,
    ops_per_s: wallS > 0 ? round2(latencies.length / wallS) : null,
    ...summarizeLatencies(latencies),
    ...(errors.length > 0 ? { first_error: errors[0]! } : {}),
  };
}
