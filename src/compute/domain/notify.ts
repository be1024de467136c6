// Nova's versioned notifications for what the API changes (flavor.create/update/delete,
// keypair.create|import|delete.end), on the bus after commit. A bus failure is the bus's to log
// and never fails the API request that caused it.
import type { Bus } from '../../bus/index.js';
import type { FlavorRow, KeyPairRow } from '../db/schema.js';

export function notify(bus: Bus | undefined, eventType: string, payload: Record<string, unknown>): void {
  if (bus === undefined) return;
  bus.notify(eventType, payload, { publisherId: 'nova-api' }).catch(() => undefined);
}

export function flavorPayload(f: FlavorRow, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    flavorid: f.flavorid, name: f.name, memory_mb: f.memory_mb, vcpus: f.vcpus, root_gb: f.root_gb, ephemeral_gb: f.ephemeral_gb,
    swap: f.swap, rxtx_factor: f.rxtx_factor, vcpu_weight: f.vcpu_weight, disabled: f.disabled === 1, is_public: f.is_public === 1,
    description: f.description, ...extra,
  };
}

export function keypairPayload(k: KeyPairRow): Record<string, unknown> {
  return { user_id: k.user_id, name: k.name, public_key: k.public_key, fingerprint: k.fingerprint, type: k.type };
}
