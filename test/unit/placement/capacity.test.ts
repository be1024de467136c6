import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { capacityAcceptable, capacityOf, checkAllocation, hasRoom, meetsConstraints } from '../../../src/placement/domain/capacity.js';

const inv = (over: Partial<Parameters<typeof capacityOf>[0]> = {}) => ({
  total: 24, reserved: 0, min_unit: 1, max_unit: 2147483647, step_size: 1, allocation_ratio: 1, ...over,
});

describe('placement capacity arithmetic', () => {
  it('computes capacity as (total - reserved) × ratio, truncated for summaries', () => {
    assert.equal(capacityOf(inv({ allocation_ratio: 16 })), 384);
    assert.equal(capacityOf(inv({ total: 128 * 1024, allocation_ratio: 1.5 })), 196608);
    assert.equal(capacityOf(inv({ total: 2000, reserved: 100 })), 1900);
    assert.equal(capacityOf(inv({ total: 3, allocation_ratio: 1.3 })), 3);
  });

  it('checks min_unit, max_unit and step_size per request', () => {
    const i = inv({ min_unit: 2, max_unit: 8, step_size: 2 });
    assert.ok(meetsConstraints(i, 2));
    assert.ok(meetsConstraints(i, 8));
    assert.ok(!meetsConstraints(i, 1));
    assert.ok(!meetsConstraints(i, 10));
    assert.ok(!meetsConstraints(i, 3));
  });

  it('has room while used + wanted stays within the (fractional) capacity', () => {
    const i = inv({ total: 3, allocation_ratio: 1.5 });
    assert.ok(hasRoom(i, 4, 0.5));
    assert.ok(!hasRoom(i, 4, 1));
    assert.ok(hasRoom(i, 0, 4));
  });

  it('gives placement verdicts: constraints first, then capacity for the amount and the request total', () => {
    const i = inv({ total: 10, max_unit: 4 });
    assert.equal(checkAllocation(i, 0, 4), 'ok');
    assert.equal(checkAllocation(i, 0, 5), 'constraints');
    assert.equal(checkAllocation(i, 8, 3), 'capacity');
    assert.equal(checkAllocation(i, 4, 4, 8), 'capacity');
    assert.equal(checkAllocation(i, 2, 4, 8), 'ok');
  });

  it('accepts inventories with positive capacity, or zero capacity from 1.26', () => {
    assert.ok(capacityAcceptable({ total: 4, reserved: 3, allocation_ratio: 1 }, false));
    assert.ok(!capacityAcceptable({ total: 4, reserved: 4, allocation_ratio: 1 }, false));
    assert.ok(capacityAcceptable({ total: 4, reserved: 4, allocation_ratio: 1 }, true));
    assert.ok(!capacityAcceptable({ total: 4, reserved: 5, allocation_ratio: 1 }, true));
    assert.ok(!capacityAcceptable({ total: 4, reserved: 0, allocation_ratio: -1 }, true));
    assert.ok(!capacityAcceptable({ total: 4, reserved: 0, allocation_ratio: 0 }, false));
  });
});
