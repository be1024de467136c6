// Small rendering helpers shared by the compute views.

/**
 * A stored timestamp (ISO, Z) as Nova shows datetimes in its JSON: Python's isoformat() of a naive
 * UTC datetime with microseconds, "2024-05-07T12:06:13.000000".
 */
export function novaDateTime(iso: string | null): string | null {
  if (iso === null) return null;
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z?$/.exec(iso);
  if (m === null) return iso;
  return `${m[1]}.${(m[2] ?? '').padEnd(6, '0').slice(0, 6)}`;
}
