// Boxes (one inclusive interval per dimension) and their disjoint union: the elements of an nft
// concatenated interval set must not overlap (`nft -f` fails with "File exists", auto-merge does
// not merge concatenations in nft 1.0.6), while overlapping security-group rules are legal and mean
// "any rule allows". Pure arithmetic, no nft text.

export type Interval = readonly [lo: bigint, hi: bigint];
export type Box = readonly Interval[];

/**
 * Pairwise disjoint boxes covering exactly the union of `boxes` (all of the same dimension),
 * ordered by their first interval, then the next. A box whose first interval overlaps no other
 * box's is kept as it is (the common case, rules with distinct prefixes: no sweep, render time
 * stays that of one line per rule); each cluster of the others is swept over its cut points.
 */
export function disjointUnion(boxes: readonly Box[]): Box[] {
  if (boxes.length <= 1 || boxes[0]!.length === 0) return boxes.slice(0, 1);
  const sorted = [...boxes].sort((a, b) => cmp(a[0]![0], b[0]![0]) || cmp(a[0]![1], b[0]![1]));
  const out: Box[] = [];
  let start = 0;
  let reach = sorted[0]![0]![1];
  for (let i = 1; i <= sorted.length; i++) {
    const box = sorted[i];
    if (box && box[0]![0] <= reach) { if (box[0]![1] > reach) reach = box[0]![1]; continue; }
    out.push(...(i - start === 1 ? [sorted[start]!] : sweep(sorted.slice(start, i))));
    if (box) { start = i; reach = box[0]![1]; }
  }
  return joinTouching(out);
}

/** Joins neighbours that touch in the first dimension and are equal in the others (fewer elements). */
function joinTouching(sorted: readonly Box[]): Box[] {
  const out: Box[] = [];
  for (const box of sorted) {
    const last = out.at(-1);
    if (last && last[0]![1] + 1n === box[0]![0] && sameFrom(last, box, 1)) out[out.length - 1] = [[last[0]![0], box[0]![1]], ...box.slice(1)];
    else out.push(box);
  }
  return out;
}

/** disjointUnion of boxes sorted by their first interval: per segment between cut points, the union of the rest. */
function sweep(sorted: readonly Box[]): Box[] {
  const cuts = [...new Set(sorted.flatMap((b) => [b[0]![0], b[0]![1] + 1n]))].sort(cmp);
  const runs: { lo: bigint; hi: bigint; rest: readonly Box[] }[] = [];
  let active: Box[] = [];
  let next = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const lo = cuts[i]!;
    const hi = cuts[i + 1]! - 1n;
    if (active.some((b) => b[0]![1] < lo)) active = active.filter((b) => b[0]![1] >= lo);
    while (next < sorted.length && sorted[next]![0]![0] <= lo) active.push(sorted[next++]!);
    if (active.length === 0) continue;
    const rest = disjointUnion(active.map((b) => b.slice(1)));
    const last = runs.at(-1);
    if (last && last.hi + 1n === lo && sameBoxes(last.rest, rest)) last.hi = hi;
    else runs.push({ lo, hi, rest });
  }
  return runs.flatMap((r) => r.rest.map((b): Box => [[r.lo, r.hi], ...b]));
}

function sameBoxes(a: readonly Box[], b: readonly Box[]): boolean {
  return a.length === b.length && a.every((box, i) => sameFrom(box, b[i]!, 0));
}

/** Whether two boxes have equal intervals from dimension `from` on. */
function sameFrom(a: Box, b: Box, from: number): boolean {
  for (let d = from; d < a.length; d++) if (a[d]![0] !== b[d]![0] || a[d]![1] !== b[d]![1]) return false;
  return true;
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
