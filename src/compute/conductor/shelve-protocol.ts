// The conductor's shelve methods (flow: domain/servers/shelve.ts, agent/shelve-ops.ts):
//   cast unshelve_instance {uuid, request_id, host: string | null, availability_zone?: string | null}   (from the API)
//        a shelved_offloaded server in task unshelving is scheduled (host: the admin's choice;
//        availability_zone: where, null any), claimed and cast to its new host; no host → back to
//        shelved_offloaded with a NoValidHost fault
//   call shelve_offloaded  {uuid, host} → {updated}   (from the agent that gave the server up)
//        its allocation dropped, host/node cleared, vm_state shelved_offloaded
import { argsOf, hostArg, requestIdArg, uuidArg } from './instance-protocol.js';
import { ConductorArgumentError } from './protocol.js';

export interface UnshelveInstance { readonly uuid: string; readonly request_id: string; readonly host: string | null; readonly availability_zone?: string | null }
export interface ShelveOffloaded { readonly uuid: string; readonly host: string }

const ZONE = /^[^\p{C}:]{1,255}$/u;

export function parseUnshelveInstance(raw: unknown): UnshelveInstance {
  const m = 'unshelve_instance';
  const args = argsOf(m, raw, ['uuid', 'request_id', 'host', 'availability_zone']);
  const host = args.host === null || args.host === undefined ? null : hostArg(m, { host: args.host });
  const zone = args.availability_zone;
  if (zone !== undefined && zone !== null && (typeof zone !== 'string' || !ZONE.test(zone))) throw new ConductorArgumentError(m, 'availability_zone must be a zone name or null');
  return { uuid: uuidArg(m, args), request_id: requestIdArg(m, args), host, ...(zone !== undefined ? { availability_zone: zone as string | null } : {}) };
}

export function parseShelveOffloaded(raw: unknown): ShelveOffloaded {
  const m = 'shelve_offloaded';
  const args = argsOf(m, raw, ['uuid', 'host']);
  return { uuid: uuidArg(m, args), host: hostArg(m, args) };
}
