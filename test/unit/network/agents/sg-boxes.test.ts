import { test } from 'node:test';
import assert from 'node:assert/strict';
import { disjointUnion, type Box } from '../../../../src/network/agents/security-groups/boxes.js';

const inside = (b: Box, p: readonly bigint[]) => b.every(([lo, hi], i) => lo <= p[i]! && p[i]! <= hi);

test('disjointUnion: overlapping boxes split into disjoint ones covering the same points', () => {
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
  for (let round = 0; round < 200; round++) {
    const boxes: Box[] = Array.from({ length: 1 + rnd(6) }, () => [0, 1].map(() => {
      const lo = rnd(8);
      return [BigInt(lo), BigInt(lo + rnd(8 - lo))] as const;
    }));
    const out = disjointUnion(boxes);
    for (let x = 0n; x < 8n; x++) for (let y = 0n; y < 8n; y++) {
      const hits = out.filter((b) => inside(b, [x, y])).length;
      assert.equal(hits, boxes.some((b) => inside(b, [x, y])) ? 1 : 0, `round ${round} point ${x},${y}`);
    }
  }
});

test('disjointUnion: adjacent pieces with equal remainders join; order is by the first key', () => {
  assert.deepEqual(disjointUnion([[[5n, 9n], [1n, 1n]], [[0n, 4n], [1n, 1n]], [[3n, 6n], [1n, 1n]]]), [[[0n, 9n], [1n, 1n]]]);
  assert.deepEqual(disjointUnion([[[0n, 9n], [20n, 30n]], [[0n, 9n], [25n, 35n]]]), [[[0n, 9n], [20n, 35n]]]);
  assert.deepEqual(disjointUnion([]), []);
});
