// A server's actions through the compute API, each as one step that sends the request and
// returns once the server has settled (its status, task_state None — and whatever else shows the
// action finished: the other host, the image active, the port gone). Shared by the lifecycle
// benchmark (which times them) and the leak-count test (which counts what they leave behind).
// Compute requests go at LIFECYCLE_MICROVERSION (os-migrateLive's block_migration 'auto' needs
// 2.25; createImage answers {image_id} from 2.45; the view shows `locked` from 2.9).
import type { CloudApi } from './cloud-api.js';

export const LIFECYCLE_MICROVERSION = '2.60';
const SETTLE_TIMEOUT_MS = 300_000;
const POLL_MS = 50;

export interface ServerView {
  readonly id: string;
  readonly status: string;
  readonly task: string | null;
  readonly host: string | null;
  readonly locked: boolean;
  readonly ipv4: readonly string[];
}

export async function showServer(api: CloudApi, id: string): Promise<ServerView> {
  const s = (await api.request('compute', 'GET', `/servers/${id}`, [200])).server as Record<string, any>;
  if (s.status === 'ERROR') throw new Error(`server ${id} ERROR: ${s.fault?.message ?? 'no fault'}`);
  const ipv4 = Object.values((s.addresses ?? {}) as Record<string, { addr: string; version: number }[]>).flat().filter((a) => a.version === 4).map((a) => a.addr);
  return { id, status: s.status, task: s['OS-EXT-STS:task_state'] ?? null, host: s['OS-EXT-SRV-ATTR:host'] ?? null, locked: s.locked === true, ipv4 };
}

/** Polls every 50 ms until `status` with no task (and `also`); an ERROR throws with its fault. */
export async function waitServer(api: CloudApi, id: string, status: string, also: (s: ServerView) => boolean = () => true): Promise<ServerView> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  for (;;) {
    const s = await showServer(api, id);
    if (s.status === status && s.task === null && also(s)) return s;
    if (Date.now() > deadline) throw new Error(`server ${id} not ${status} in ${SETTLE_TIMEOUT_MS / 1000} s: ${JSON.stringify(s)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function waitFor(what: string, probe: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** What the steps share for one server. */
export interface LifecycleContext {
  readonly api: CloudApi;
  readonly imageId: string;
  readonly networkId: string;
  /** The flavor it boots with and the one it is resized to. */
  readonly flavors: readonly [string, string];
  serverId: string;
  /** Images made by createImage (the caller deletes them). */
  readonly snapshots: string[];
  /** The port the interface attach made. */
  attachedPort?: string;
}

export interface LifecycleStep {
  readonly name: string;
  /** Whether the guest must be up (answering ping) first: graceful shutdowns and ACPI unplugs wait for it. */
  readonly needsGuest: boolean;
  /** Whether the guest boots anew (GuestReadiness.mark before it). */
  readonly boots: boolean;
  run(ctx: LifecycleContext): Promise<void>;
}

const action = (ctx: LifecycleContext, body: unknown, expect: readonly number[] = [202]): Promise<any> =>
  ctx.api.request('compute', 'POST', `/servers/${ctx.serverId}/action`, expect, body);

/** A step that posts one action and waits for `status`. */
const simple = (name: string, body: unknown, status: string, needsGuest: boolean, boots: boolean, expect?: readonly number[]): LifecycleStep => ({
  name, needsGuest, boots,
  async run(ctx) {
    await action(ctx, body, expect);
    await waitServer(ctx.api, ctx.serverId, status);
  },
});

export const CREATE_STEP: LifecycleStep = {
  name: 'create', needsGuest: false, boots: true,
  async run(ctx) {
    const created = (await ctx.api.request('compute', 'POST', '/servers', [202], { server: {
      name: `lifecycle-${Date.now()}`, imageRef: ctx.imageId, flavorRef: ctx.flavors[0], networks: [{ uuid: ctx.networkId }],
    } })).server as { id: string };
    ctx.serverId = created.id;
    await waitServer(ctx.api, ctx.serverId, 'ACTIVE');
  },
};

/** A step that moves it to the other host (a cold migration boots it there, a live one does not). */
function moveStep(name: string, body: unknown, status: string): LifecycleStep {
  return {
    name, needsGuest: true, boots: name === 'migrate',
    async run(ctx) {
      const from = (await showServer(ctx.api, ctx.serverId)).host;
      await action(ctx, body);
      await waitServer(ctx.api, ctx.serverId, status, (s) => s.host !== null && s.host !== from);
    },
  };
}

export const LIFECYCLE_STEPS: readonly LifecycleStep[] = [
  simple('stop', { 'os-stop': null }, 'SHUTOFF', true, false),
  simple('start', { 'os-start': null }, 'ACTIVE', false, true),
  simple('reboot_soft', { reboot: { type: 'SOFT' } }, 'ACTIVE', true, true),
  simple('reboot_hard', { reboot: { type: 'HARD' } }, 'ACTIVE', true, true),
  simple('pause', { pause: null }, 'PAUSED', false, false),
  simple('unpause', { unpause: null }, 'ACTIVE', false, false),
  simple('suspend', { suspend: null }, 'SUSPENDED', false, false),
  simple('resume', { resume: null }, 'ACTIVE', false, false),
  {
    name: 'lock', needsGuest: false, boots: false,
    async run(ctx) {
      await action(ctx, { lock: null });
      await waitServer(ctx.api, ctx.serverId, 'ACTIVE', (s) => s.locked);
    },
  },
  {
    name: 'unlock', needsGuest: false, boots: false,
    async run(ctx) {
      await action(ctx, { unlock: null });
      await waitServer(ctx.api, ctx.serverId, 'ACTIVE', (s) => !s.locked);
    },
  },
  {
    name: 'rebuild', needsGuest: true, boots: true,
    async run(ctx) {
      await action(ctx, { rebuild: { imageRef: ctx.imageId } });
      await waitServer(ctx.api, ctx.serverId, 'ACTIVE');
    },
  },
  {
    name: 'create_image', needsGuest: false, boots: false,
    async run(ctx) {
      const { image_id: imageId } = await action(ctx, { createImage: { name: `lifecycle-snap-${Date.now()}` } }) as { image_id: string };
      ctx.snapshots.push(imageId);
      await waitFor(`image ${imageId} active`, async () => (await ctx.api.request('image', 'GET', `/v2/images/${imageId}`, [200])).status === 'active');
      await waitServer(ctx.api, ctx.serverId, 'ACTIVE');
    },
  },
  {
    name: 'resize', needsGuest: true, boots: true,
    async run(ctx) {
      await action(ctx, { resize: { flavorRef: ctx.flavors[1] } });
      await waitServer(ctx.api, ctx.serverId, 'VERIFY_RESIZE');
    },
  },
  simple('confirm_resize', { confirmResize: null }, 'ACTIVE', false, false, [204]),
  moveStep('migrate', { migrate: null }, 'VERIFY_RESIZE'),
  {
    name: 'revert_resize', needsGuest: true, boots: true,
    async run(ctx) {
      await action(ctx, { revertResize: null });
      await waitServer(ctx.api, ctx.serverId, 'ACTIVE');
    },
  },
  moveStep('live_migrate', { 'os-migrateLive': { host: null, block_migration: 'auto' } }, 'ACTIVE'),
  simple('rescue', { rescue: null }, 'RESCUE', true, true, [200]),
  simple('unrescue', { unrescue: null }, 'ACTIVE', true, true),
  {
    name: 'interface_attach', needsGuest: true, boots: false,
    async run(ctx) {
      const att = (await ctx.api.request('compute', 'POST', `/servers/${ctx.serverId}/os-interface`, [200],
        { interfaceAttachment: { net_id: ctx.networkId } })).interfaceAttachment as { port_id: string };
      ctx.attachedPort = att.port_id;
      await waitServer(ctx.api, ctx.serverId, 'ACTIVE');
    },
  },
  {
    name: 'interface_detach', needsGuest: true, boots: false,
    async run(ctx) {
      const port = ctx.attachedPort;
      if (port === undefined) throw new Error('interface_detach: no interface was attached');
      await ctx.api.request('compute', 'DELETE', `/servers/${ctx.serverId}/os-interface/${port}`, [202]);
      await waitFor(`port ${port} detached`, async () => {
        const list = (await ctx.api.request('compute', 'GET', `/servers/${ctx.serverId}/os-interface`, [200])).interfaceAttachments as { port_id: string }[];
        return !list.some((a) => a.port_id === port);
      });
      await waitServer(ctx.api, ctx.serverId, 'ACTIVE');
      ctx.attachedPort = undefined;
    },
  },
];

export const DELETE_STEP: LifecycleStep = {
  name: 'delete', needsGuest: false, boots: false,
  async run(ctx) {
    await ctx.api.request('compute', 'DELETE', `/servers/${ctx.serverId}`, [204]);
    await waitFor(`server ${ctx.serverId} gone`, async () => !(await ctx.api.exists('compute', `/servers/${ctx.serverId}`)));
  },
};
