// Capacity arithmetic, as placement does it: capacity = (total - reserved) × allocation_ratio;
// an amount must lie within [min_unit, max_unit] and be a multiple of step_size, and the
// provider's usage plus everything requested of it must not exceed the capacity.

export interface InventoryLimits {
  readonly total: number;
  readonly reserved: number;
  readonly min_unit: number;
  readonly max_unit: number;
  readonly step_size: number;
  readonly allocation_ratio: number;
}

/** The capacity reported in provider summaries (Python's int() of the product). */
export function capacityOf(inv: InventoryLimits): number {
  return Math.trunc((inv.total - inv.reserved) * inv.allocation_ratio);
}

/** min_unit, max_unit and step_size, checked per request (not against the sum). */
export function meetsConstraints(inv: InventoryLimits, amount: number): boolean {
  return amount >= inv.min_unit && amount <= inv.max_unit && amount % inv.step_size === 0;
}

/** Does the provider have room: `used` already consumed, `amount` more wanted. */
export function hasRoom(inv: InventoryLimits, used: number, amount: number): boolean {
  return (inv.total - inv.reserved) * inv.allocation_ratio >= used + amount;
}

export type AllocationVerdict = 'ok' | 'constraints' | 'capacity';

/**
 * One allocation of `amount` checked the way _check_capacity_exceeded does: constraints first,
 * then capacity against both this amount and `requestTotal`, everything this request asks of the
 * same provider and class (several consumers in one POST /allocations add up).
 */
export function checkAllocation(inv: InventoryLimits, used: number, amount: number, requestTotal = amount): AllocationVerdict {
  if (!meetsConstraints(inv, amount)) return 'constraints';
  if (!hasRoom(inv, used, amount) || !hasRoom(inv, used, requestTotal)) return 'capacity';
  return 'ok';
}

/**
 * An inventory's settings are acceptable when its capacity is positive (before 1.26) or not
 * negative (1.26 allows reserved == total): reserved above total is never accepted.
 */
export function capacityAcceptable(inv: Pick<InventoryLimits, 'total' | 'reserved' | 'allocation_ratio'>, reservedMayEqualTotal: boolean): boolean {
  const capacity = Math.trunc((inv.total - inv.reserved) * inv.allocation_ratio);
  return reservedMayEqualTotal ? capacity >= 0 : capacity > 0;
}
