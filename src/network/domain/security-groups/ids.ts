// Ids and filter values reach SQL only when they could name a row: PostgreSQL refuses NUL bytes
// in text (a 500), and no id is longer than 255 characters.

export function isSaneId(value: string): boolean {
  return value.length <= 255 && !value.includes('\u0000');
}

/**
 * Values of an `in` filter that are safe to send to the database; `undefined` when no filter
 * was asked for. An empty list means nothing can match.
 */
export function saneFilter(values: readonly string[]): string[] | undefined {
  if (values.length === 0) return undefined;
  return values.filter(isSaneId);
}
