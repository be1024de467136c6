// Key pairs (nova/api/openstack/compute/keypairs.py), by microversion:
//   2.1   create 200 / delete 202, no `type`;
//   2.2   `type` (ssh | x509) in requests and responses, create 201 / delete 204;
//   2.10  admins act for another user: `user_id` in the create body, `?user_id=` on list/show/delete;
//   2.35  list pagination (limit, marker = name) with keypairs_links;
//   2.75  unknown query parameters are refused;
//   2.92  `public_key` is required (no more generated keys) and names may hold '@' and '.'.
import type { KeyPairRow } from '../db/schema.js';
import { createKeyPair, deleteKeyPair, getKeyPair, listKeyPairs, type KeyPairType } from '../domain/keypairs.js';
import { keypairPayload, notify } from '../domain/notify.js';
import { enforce } from '../domain/policy.js';
import { novaDateTime } from './render.js';
import type { ComputeRouter, Ctx, Endpoint } from './router.js';
import { lastQueryValue, nameType, nonNegativeIntegerType, validateBody, validateQuery, type Schema } from './validation.js';

const RULE = (action: string): string => `os_compute_api:os-keypairs:${action}`;

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const SAFE_20 = `_- 0123456789${LETTERS}`;
const SAFE_292 = `@._- 0123456789${LETTERS}`;

/** parameter_types.keypair_name_special_chars(_292): a `name`, limited to the safe characters. */
function keypairName(safe: string): Schema {
  return {
    ...nameType,
    format: (value) => nameType.format!(value) ?? ([...value].every((c) => safe.includes(c))
      ? undefined
      : `An invalid 'name' value was provided. The name must be: Only expected characters: [${safe}]`),
  };
}

function createSchema(version: '2.1' | '2.2' | '2.10' | '2.92'): Schema {
  const properties: Record<string, Schema> = {
    name: keypairName(version === '2.92' ? SAFE_292 : SAFE_20),
    public_key: { type: 'string' },
  };
  if (version !== '2.1') properties.type = { type: 'string', enum: ['ssh', 'x509'] };
  if (version === '2.10' || version === '2.92') properties.user_id = { type: 'string', maxLength: 255 };
  return {
    type: 'object',
    properties: {
      keypair: { type: 'object', properties, required: version === '2.92' ? ['name', 'public_key'] : ['name'], additionalProperties: false },
    },
    required: ['keypair'],
    additionalProperties: false,
  };
}

const CREATE = { v21: createSchema('2.1'), v22: createSchema('2.2'), v210: createSchema('2.10'), v292: createSchema('2.92') };

function render(row: KeyPairRow, fields: { type: boolean; extra?: Record<string, unknown> }): Record<string, unknown> {
  const out: Record<string, unknown> = { name: row.name, public_key: row.public_key, fingerprint: row.fingerprint };
  if (fields.extra !== undefined) Object.assign(out, fields.extra);
  if (fields.type) out.type = row.type;
  return out;
}

/** The user a request acts for: `?user_id=` (2.10+) or the caller. */
function queryUser(ctx: Ctx): string {
  return (ctx.mv.atLeast('2.10') ? lastQueryValue(ctx.query, 'user_id') : undefined) ?? ctx.caller.userId;
}

function target(ctx: Ctx, userId: string): Record<string, unknown> {
  return { user_id: userId, project_id: ctx.caller.projectId };
}

async function create(ctx: Ctx): Promise<unknown> {
  const schema = ctx.mv.atLeast('2.92') ? CREATE.v292 : ctx.mv.atLeast('2.10') ? CREATE.v210 : ctx.mv.atLeast('2.2') ? CREATE.v22 : CREATE.v21;
  const body = validateBody<{ keypair: { name: string; public_key?: string; type?: KeyPairType; user_id?: string } }>(ctx.body, schema);
  const params = body.keypair;
  const userId = params.user_id || ctx.caller.userId;
  enforce(ctx.deps.policy, ctx.caller, RULE('create'), target(ctx, userId));
  const { row, privateKey } = await createKeyPair(ctx.deps.db, ctx.deps.compute, {
    projectId: ctx.caller.projectId,
    userId,
    name: params.name.trim(),
    type: params.type ?? 'ssh',
    ...(params.public_key !== undefined ? { publicKey: params.public_key } : {}),
  });
  notify(ctx.deps.bus, privateKey === undefined ? 'keypair.import.end' : 'keypair.create.end', keypairPayload(row));
  const keypair = render(row, { type: ctx.mv.atLeast('2.2'), extra: { user_id: row.user_id } });
  if (privateKey !== undefined) keypair.private_key = privateKey;
  return { keypair };
}

const indexQuery = (version: '2.1' | '2.10' | '2.35'): Readonly<Record<string, Schema>> => {
  if (version === '2.1') return {};
  if (version === '2.10') return { user_id: { type: 'string' } };
  return { user_id: { type: 'string' }, limit: nonNegativeIntegerType, marker: { type: 'string' } };
};

async function index(ctx: Ctx): Promise<unknown> {
  const version = ctx.mv.atLeast('2.35') ? '2.35' : ctx.mv.atLeast('2.10') ? '2.10' : '2.1';
  validateQuery(ctx.query, indexQuery(version), !ctx.mv.atLeast('2.75'));
  const userId = queryUser(ctx);
  enforce(ctx.deps.policy, ctx.caller, RULE('index'), target(ctx, userId));
  const maxLimit = ctx.deps.compute.maxLimit;
  let limit: number | undefined;
  let marker: string | undefined;
  if (version === '2.35') {
    const text = lastQueryValue(ctx.query, 'limit');
    limit = text === undefined ? maxLimit : Math.min(maxLimit, Number(text));
    marker = lastQueryValue(ctx.query, 'marker');
  }
  const rows = await listKeyPairs(ctx.deps.db, userId, limit, marker);
  const out: Record<string, unknown> = { keypairs: rows.map((row) => ({ keypair: render(row, { type: ctx.mv.atLeast('2.2') }) })) };
  if (version === '2.35') {
    const links = ctx.links.collection('os-keypairs', ctx.query, limit!, rows.length, rows[rows.length - 1]?.name);
    if (links.length > 0) out.keypairs_links = links;
  }
  return out;
}

const userQuery: Readonly<Record<string, Schema>> = { user_id: { type: 'string' } };

async function show(ctx: Ctx): Promise<unknown> {
  if (ctx.mv.atLeast('2.10')) validateQuery(ctx.query, userQuery, !ctx.mv.atLeast('2.75'));
  const userId = queryUser(ctx);
  enforce(ctx.deps.policy, ctx.caller, RULE('show'), target(ctx, userId));
  const row = await getKeyPair(ctx.deps.db, userId, ctx.params.keypair_name!);
  return {
    keypair: render(row, {
      type: ctx.mv.atLeast('2.2'),
      extra: {
        created_at: novaDateTime(row.created_at), deleted: false, deleted_at: null, id: row.id, user_id: row.user_id, updated_at: null,
      },
    }),
  };
}

async function remove(ctx: Ctx): Promise<unknown> {
  if (ctx.mv.atLeast('2.10')) validateQuery(ctx.query, userQuery, !ctx.mv.atLeast('2.75'));
  const userId = queryUser(ctx);
  enforce(ctx.deps.policy, ctx.caller, RULE('delete'), target(ctx, userId));
  notify(ctx.deps.bus, 'keypair.delete.end', keypairPayload(await deleteKeyPair(ctx.deps.db, userId, ctx.params.keypair_name!)));
  return undefined;
}

export function registerKeypairRoutes(router: ComputeRouter): void {
  const createEndpoints: Endpoint[] = [
    { max: '2.1', handler: create },
    { min: '2.2', status: 201, handler: create },
  ];
  router.route('POST', '/os-keypairs', ...createEndpoints);
  router.route('GET', '/os-keypairs', { handler: index });
  router.route('GET', '/os-keypairs/:keypair_name', { handler: show });
  router.route('DELETE', '/os-keypairs/:keypair_name', { max: '2.1', status: 202, handler: remove }, { min: '2.2', status: 204, handler: remove });
}
