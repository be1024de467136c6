// Resource providers: a forest of trees (parent, root), unique names, and a generation that
// guards their inventory, allocations, traits and aggregates. Re-parenting (1.37) moves a whole
// subtree; a provider cannot become its own ancestor.
import { ApiError } from '../../core/errors.js';
import type { ProviderRow } from '../db/schema.js';
import { GenerationRace, inTransaction, type PlacementTx } from '../db/transaction.js';
import type { Kysely } from 'kysely';
import type { PlacementDb } from '../db/schema.js';
import { badRequest, CODES, concurrentUpdate, conflict, notFound, providerNotFound } from './errors.js';
import { chunks, nextId, now, type Db } from './store.js';

export type Provider = ProviderRow;

export async function findProvider(db: Db, uuid: string): Promise<Provider | undefined> {
  return db.selectFrom('plc_provider').selectAll().where('uuid', '=', uuid).executeTakeFirst();
}

/** The provider, or placement's 404 "No resource provider with uuid … found". */
export async function requireProvider(db: Db, uuid: string): Promise<Provider> {
  const rp = await findProvider(db, uuid);
  if (rp === undefined) throw providerNotFound(uuid);
  return rp;
}

const objectAction = (action: string, reason: string): string => `Object action ${action} failed because: ${reason}`;

export interface NewProvider { readonly name: string; readonly uuid: string; readonly parentUuid: string | null }

export async function createProvider(db: Kysely<PlacementDb>, input: NewProvider): Promise<Provider> {
  return inTransaction(db, async (trx) => {
    const fail = (reason: string): ApiError =>
      badRequest(`Unable to create resource provider "${input.name}", ${input.uuid}: ${objectAction('create', reason)}`);
    const byName = await trx.selectFrom('plc_provider').select('uuid').where('name', '=', input.name).executeTakeFirst();
    const byUuid = await findProvider(trx, input.uuid);
    if (byName !== undefined || byUuid !== undefined) {
      const dups = [...(byName !== undefined ? [`name: ${input.name}`] : []), ...(byUuid !== undefined ? [`uuid: ${input.uuid}`] : [])];
      throw conflict(`Conflicting resource provider ${dups.join(', ')} already exists.`, CODES.DUPLICATE_NAME);
    }
    let rootUuid = input.uuid;
    if (input.parentUuid !== null) {
      if (input.parentUuid === input.uuid) {
        throw fail('parent provider UUID cannot be same as UUID. Please set parent provider UUID to None if there is no parent.');
      }
      const parent = await findProvider(trx, input.parentUuid);
      if (parent === undefined) throw fail('parent provider UUID does not exist.');
      rootUuid = parent.root_uuid;
    }
    const stamp = now();
    const row: Provider = {
      uuid: input.uuid, id: await nextId(trx, 'plc_provider'), name: input.name, generation: 0,
      parent_uuid: input.parentUuid, root_uuid: rootUuid, created_at: stamp, updated_at: stamp,
    };
    await trx.insertInto('plc_provider').values(row).execute();
    return row;
  }, () => concurrentUpdate());
}

/** Every provider below `uuid` (not itself), breadth first. */
async function descendants(trx: PlacementTx, rp: Provider): Promise<Provider[]> {
  const tree = await trx.selectFrom('plc_provider').selectAll().where('root_uuid', '=', rp.root_uuid).execute();
  const children = new Map<string, Provider[]>();
  for (const p of tree) {
    if (p.parent_uuid === null) continue;
    const list = children.get(p.parent_uuid) ?? [];
    list.push(p);
    children.set(p.parent_uuid, list);
  }
  const out: Provider[] = [];
  const queue = [...(children.get(rp.uuid) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift()!;
    out.push(next);
    queue.push(...(children.get(next.uuid) ?? []));
  }
  return out;
}

export interface ProviderUpdate {
  readonly name: string;
  /** undefined: leave the parent alone; null: make it a root (1.37); a uuid: (re)parent. */
  readonly parentUuid?: string | null;
  /** Microversion 1.37 allows re-parenting and un-parenting. */
  readonly allowReparenting: boolean;
}

export async function updateProvider(db: Kysely<PlacementDb>, uuid: string, update: ProviderUpdate): Promise<Provider> {
  return inTransaction(db, async (trx) => {
    const rp = await requireProvider(trx, uuid);
    const fail = (action: string, reason: string): ApiError => badRequest(`Unable to save resource provider ${uuid}: ${objectAction(action, reason)}`);
    if (update.name !== rp.name) {
      const clash = await trx.selectFrom('plc_provider').select('uuid').where('name', '=', update.name).executeTakeFirst();
      if (clash !== undefined) throw conflict(`Conflicting resource provider ${update.name} already exists.`, CODES.DUPLICATE_NAME);
    }
    const stamp = now();
    let parentUuid = rp.parent_uuid;
    let rootUuid = rp.root_uuid;
    let moveSubtree = false;
    if (update.parentUuid !== undefined) {
      if (update.parentUuid !== null) {
        const parent = await findProvider(trx, update.parentUuid);
        if (parent === undefined) throw fail('create', 'parent provider UUID does not exist.');
        if (rp.parent_uuid !== null && rp.parent_uuid !== parent.uuid && !update.allowReparenting) {
          throw fail('update', 're-parenting a provider is not currently allowed.');
        }
        if (parent.uuid !== rp.parent_uuid) {
          const below = await descendants(trx, rp);
          if (parent.uuid === rp.uuid || below.some((d) => d.uuid === parent.uuid)) {
            throw fail('update', 'creating loop in the provider tree is not allowed.');
          }
          parentUuid = parent.uuid;
          rootUuid = parent.root_uuid;
          moveSubtree = true;
        }
      } else if (rp.parent_uuid !== null) {
        if (!update.allowReparenting) throw fail('update', 'un-parenting a provider is not currently allowed.');
        parentUuid = null;
        rootUuid = rp.uuid;
        moveSubtree = true;
      }
    }
    if (moveSubtree) {
      const below = await descendants(trx, rp);
      for (const part of chunks(below.map((d) => d.uuid))) {
        await trx.updateTable('plc_provider').set({ root_uuid: rootUuid }).where('uuid', 'in', part).execute();
      }
    }
    await trx.updateTable('plc_provider').set({ name: update.name, parent_uuid: parentUuid, root_uuid: rootUuid, updated_at: stamp })
      .where('uuid', '=', uuid).execute();
    return { ...rp, name: update.name, parent_uuid: parentUuid, root_uuid: rootUuid, updated_at: stamp };
  }, () => concurrentUpdate());
}

export async function deleteProvider(db: Kysely<PlacementDb>, uuid: string): Promise<void> {
  await inTransaction(db, async (trx) => {
    const rp = await findProvider(trx, uuid);
    if (rp === undefined) throw notFound(`No resource provider with uuid ${uuid} found for delete`);
    const child = await trx.selectFrom('plc_provider').select('uuid').where('parent_uuid', '=', uuid).executeTakeFirst();
    if (child !== undefined) {
      throw conflict(`Unable to delete parent resource provider ${uuid}: It has child resource providers.`, CODES.PROVIDER_CANNOT_DELETE_PARENT);
    }
    const alloc = await trx.selectFrom('plc_allocation').select('consumer_uuid').where('provider_uuid', '=', uuid).executeTakeFirst();
    if (alloc !== undefined) {
      throw conflict(`Unable to delete resource provider ${uuid}: Resource provider has allocations.`, CODES.PROVIDER_IN_USE);
    }
    await trx.deleteFrom('plc_inventory').where('provider_uuid', '=', uuid).execute();
    await trx.deleteFrom('plc_provider_aggregate').where('provider_uuid', '=', uuid).execute();
    await trx.deleteFrom('plc_provider_trait').where('provider_uuid', '=', uuid).execute();
    const res = await trx.deleteFrom('plc_provider').where('uuid', '=', uuid).where('generation', '=', rp.generation).executeTakeFirst();
    if (Number(res.numDeletedRows) !== 1) throw new GenerationRace(`resource provider ${uuid}`);
  }, () => concurrentUpdate());
}
