// Boxes (one inclusive interval per dimension) and their disjoint union: the elements of an nft
// concatenated interval set must not overlap (`nft -f` fails with "File exists", auto-merge does
// not merge concatenations in nft 1.0.6), while overlapping security-group rules are legal and mean
// "any rule allows". Pure arithmetic, no nft text.

export type Interval = readonly [lo: bigint, hi: bigint];
export type Box = readonly Interval[];

/**
 * Pairwise disjoint boxes covering exactly the union of `boxes` (all of the same dimension),
 * ordered by their first interval, then the next. Sweeps the first dimension over the cut points
 * of all boxes, takes the union of the covering boxes' remaining dimensions per segment and joins
 * adjacent segments whose remainders are equal.
 */
export function disjointUnion(boxes: readonly Box[]): Box[] {
  if (boxes.length === 0) return [];
  if (boxes[0]!.length === 0) return [[]];
  const sorted = [...boxes].sort((a, b) => cmp(a[0]![0], b[0]![0]));
  const cuts = [...new Set(sorted.flatMap((b) => [b[0]![0], b[0]![1] + 1n]))].sort(cmp);
  const runs: { lo: bigint; hi: bigint; rest: Box[]; key: string }[] = [];
  let active: Box[] = [];
  let next = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const lo = cuts[i]!;
    const hi = cuts[i + 1]! - 1n;
    while (next < sorted.length && sorted[next]![0]![0] <= lo) active.push(sorted[next++]!);
    active = active.filter((b) => b[0]![1] >= lo);
    if (active.length === 0) continue;
    const rest = disjointUnion(active.map((b) => b.slice(1)));
    const key = rest.map((b) => b.map(([a, z]) => `${a}-${z}`).join('.')).join(',');
    const last = runs.at(-1);
    if (last && last.hi + 1n === lo && last.key === key) last.hi = hi;
    else runs.push({ lo, hi, rest, key });
  }
  return runs.flatMap((r) => r.rest.map((b): Box => [[r.lo, r.hi], ...b]));
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
