// Remote consoles (nova/api/openstack/compute/remote_consoles.py, console_auth_tokens.py):
//   POST /servers/{id}/remote-consoles (2.6+) {"remote_console": {"protocol", "type"}}
//        → {"remote_console": {"protocol", "type", "url"}}
//   the actions os-getVNCConsole, os-getSerialConsole, os-getSPICEConsole (2.1-2.5) → {"console": {"type", "url"}}
//   GET /os-console-auth-tokens/{token} (admin): what a token stands for, without using it up;
//        before 2.31 only RDP tokens may be shown (401), as Nova.
// Order as Nova's: the body's schema, the server (404), policy, the host and state (409), the
// console type (400), then the host's agent.
import { ApiError } from '../../core/errors.js';
import { enforce, ownTarget } from '../domain/policy.js';
import { showConsoleToken } from '../domain/console-tokens.js';
import { checkConsoleState, consoleTypeFor, remoteConsoleUrl } from '../domain/servers/remote-console.js';
import { visibleInstance } from '../domain/servers/lookup.js';
import type { ComputeRouter, Ctx, Endpoint } from './router.js';
import { validateBody, type Schema } from './validation.js';

const POLICY = 'os_compute_api:os-remote-consoles';

const createSchema = (protocols: readonly string[], types: readonly string[]): Schema => ({
  type: 'object',
  properties: {
    remote_console: {
      type: 'object',
      properties: { protocol: { type: 'string', enum: protocols }, type: { type: 'string', enum: types } },
      required: ['protocol', 'type'],
      additionalProperties: false,
    },
  },
  required: ['remote_console'],
  additionalProperties: false,
});

// schemas/remote_consoles.py create_v26 and create_v28 (mks from 2.8).
const CREATE_V26 = createSchema(['vnc', 'spice', 'serial'], ['novnc', 'xvpvnc', 'spice-html5', 'serial']);
const CREATE_V28 = createSchema(['vnc', 'spice', 'serial', 'mks'], ['novnc', 'xvpvnc', 'spice-html5', 'serial', 'webmks']);

const legacySchema = (action: string, types: readonly string[]): Schema => ({
  type: 'object',
  properties: {
    [action]: { type: 'object', properties: { type: { type: 'string', enum: types } }, required: ['type'], additionalProperties: false },
  },
  required: [action],
  additionalProperties: false,
});

/** The server's console URL for a protocol and type, after Nova's checks. */
async function consoleUrl(ctx: Ctx, protocol: string, type: string, action: string): Promise<string> {
  const row = await visibleInstance(ctx.deps.db, ctx.caller, ctx.params.server_id!);
  enforce(ctx.deps.policy, ctx.caller, POLICY, { project_id: row.project_id });
  checkConsoleState(row, action);
  return remoteConsoleUrl(ctx.deps, row, consoleTypeFor(protocol, type));
}

async function create(ctx: Ctx): Promise<unknown> {
  const body = validateBody<{ remote_console: { protocol: string; type: string } }>(ctx.body, ctx.mv.atLeast('2.8') ? CREATE_V28 : CREATE_V26);
  const { protocol, type } = body.remote_console;
  const url = await consoleUrl(ctx, protocol, type, `get_${protocol}_console`);
  return { remote_console: { protocol, type, url } };
}

/** A pre-2.6 action: {"<action>": {"type": ...}} → {"console": {"type", "url"}}. */
function legacyAction(action: string, protocol: string, types: readonly string[]): Endpoint[] {
  const schema = legacySchema(action, types);
  return [{
    max: '2.5',
    handler: async (ctx) => {
      const type = validateBody<Record<string, { type: string }>>(ctx.body, schema)[action]!.type;
      return { console: { type, url: await consoleUrl(ctx, protocol, type, `get_${protocol}_console`) } };
    },
  }];
}

export const SERVER_CONSOLE_ACTIONS: Readonly<Record<string, readonly Endpoint[]>> = {
  'os-getVNCConsole': legacyAction('os-getVNCConsole', 'vnc', ['novnc', 'xvpvnc']),
  'os-getSerialConsole': legacyAction('os-getSerialConsole', 'serial', ['serial']),
  'os-getSPICEConsole': legacyAction('os-getSPICEConsole', 'spice', ['spice-html5']),
};

async function showToken(ctx: Ctx): Promise<unknown> {
  enforce(ctx.deps.policy, ctx.caller, 'os_compute_api:os-console-auth-tokens', ownTarget(ctx.caller));
  const found = await showConsoleToken(ctx.deps.db, ctx.params.token!);
  if (!found) throw new ApiError(404, 'Token not found');
  // Before 2.31 Nova shows only RDP consoles' tokens, and none are made here.
  if (ctx.mv.lessThan('2.31')) throw new ApiError(401, 'The requested console type details are not accessible');
  const endpoint = found.endpoint;
  return {
    console: {
      instance_uuid: found.instanceUuid,
      host: endpoint.host,
      port: 'port' in endpoint ? endpoint.port : null,
      internal_access_path: null,
    },
  };
}

export function registerRemoteConsoleRoutes(router: ComputeRouter): void {
  router.route('POST', '/servers/:server_id/remote-consoles', { min: '2.6', handler: create });
  router.route('GET', '/os-console-auth-tokens/:token', { handler: showToken });
}
