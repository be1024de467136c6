import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disjointUnion, type Box } from '../../../../src/network/agents/security-groups/boxes.js';

const inside = (b: Box, p: readonly bigint[]) => b.every(([lo, hi], i) => lo <= p[i]! && p[i]! <= hi);

/** All points of a small grid of `dims` dimensions, each coordinate 0..size-1. */
function grid(dims: number, size: number): bigint[][] {
  if (dims === 0) return [[]];
  return grid(dims - 1, size).flatMap((p) => Array.from({ length: size }, (_, v) => [...p, BigInt(v)]));
}

test('disjointUnion: overlapping boxes split into disjoint ones covering the same points (2 and 3 keys)', () => {
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (const [dims, size] of [[2, 8], [3, 5]] as const) {
    const points = grid(dims, size);
    for (let round = 0; round < 200; round++) {
      const boxes: Box[] = Array.from({ length: 1 + rnd(6) }, () => Array.from({ length: dims }, () => {
        const lo = rnd(size);
        return [BigInt(lo), BigInt(lo + rnd(size - lo))] as const;
      }));
      const out = disjointUnion(boxes);
      for (const p of points) {
        const hits = out.filter((b) => inside(b, p)).length;
        assert.equal(hits, boxes.some((b) => inside(b, p)) ? 1 : 0, `${dims} keys, round ${round}, point ${p.join(',')}`);
      }
    }
  }
});

test('disjointUnion: adjacent pieces with equal remainders join; order is by the first key', () => {
  assert.deepEqual(disjointUnion([[[5n, 9n], [1n, 1n]], [[0n, 4n], [1n, 1n]], [[3n, 6n], [1n, 1n]]]), [[[0n, 9n], [1n, 1n]]]);
  assert.deepEqual(disjointUnion([[[0n, 9n], [20n, 30n]], [[0n, 9n], [25n, 35n]]]), [[[0n, 9n], [20n, 35n]]]);
  assert.deepEqual(disjointUnion([[[0n, 4n], [1n, 1n]], [[5n, 9n], [1n, 1n]], [[10n, 12n], [2n, 2n]], [[14n, 15n], [2n, 2n]]]),
    [[[0n, 9n], [1n, 1n]], [[10n, 12n], [2n, 2n]], [[14n, 15n], [2n, 2n]]], 'touching boxes join, others stay');
  assert.deepEqual(disjointUnion([]), []);
});
