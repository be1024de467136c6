// Remote consoles through the compute API and the console proxy, without QEMU: a stand-in agent on
// the memory bus answers get_console_connect_info (arguments parsed by the real parser) with the
// path of a small RFB-speaking unix socket server; the proxy runs on real listeners. Covers Nova's
// errors, the URL shapes, tokens stored hashed, one use per token, expiry, the Origin check and
// os-console-auth-tokens. The real guest is in test/integration/compute-agent/console.test.ts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createBus, type Bus, type Server as BusServer } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import { parseGetConsoleConnectInfo } from '../../../src/compute/agent/rpc-handlers.js';
import { ConsoleTypeUnavailable, InstanceNotReady } from '../../../src/compute/agent/console-connect.js';
import { hashToken } from '../../../src/compute/domain/console-tokens.js';
import { startConsoleProxy, type RunningConsoleProxy } from '../../../src/compute/console-proxy/proxy.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { freePort } from '../../support/free-port.js';
import { connectConsole, upgradeStatus, websocketUrlOf } from '../../support/console-client.js';
import { insertInstance } from './server-fixtures.js';

describe('remote consoles: API, tokens and proxy', () => {
  let bus: Bus;
  let h: ComputeHarness;
  let agent: BusServer;
  let proxy: RunningConsoleProxy;
  let vnc: Server;
  let dir = '';
  let vncSocket = '';
  const sockets = new Set<Socket>();
  const notRunning = new Set<string>();
  const noSerial = new Set<string>();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nimbus-rc-'));
    vncSocket = join(dir, 'vnc.sock');
    // An RFB server as far as its greeting, then an echo: shows the bridge carries both ways.
    vnc = createServer((s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); s.write('RFB 003.008\n'); s.pipe(s); });
    await new Promise<void>((r) => vnc.listen(vncSocket, r));
    const [novncPort, serialPort] = [await freePort(), await freePort()];
    bus = await createBus({ driver: 'memory' });
    h = await startCompute({
      bus, compute: { console: { novncBaseUrl: `http://127.0.0.1:${novncPort}/vnc_lite.html`, serialBaseUrl: `ws://127.0.0.1:${serialPort}/` } },
    });
    agent = await bus.serve('compute', 'host-a', {
      get_console_connect_info: async (args) => {
        const r = parseGetConsoleConnectInfo(args);
        if (notRunning.has(r.uuid)) throw new InstanceNotReady(`Instance ${r.uuid} is not ready`);
        if (noSerial.has(r.uuid) && r.console_type === 'serial') throw new ConsoleTypeUnavailable('Unavailable console type serial.');
        return { host: 'host-a', port: null, unix_socket: vncSocket };
      },
    });
    proxy = await startConsoleProxy({ db: h.db, bindHost: '127.0.0.1', novncPort, serialPort, allowedOrigins: ['dash.example'], logger: createLogger('silent') });
  });

  after(async () => {
    await proxy?.close();
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => (vnc ? vnc.close(() => r()) : r()));
    await agent?.stop();
    await h?.close();
    await bus?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const server = (over: Record<string, unknown> = {}) => insertInstance(h.db, { project_id: h.alice.projectId, user_id: h.alice.userId, ...over });
  const remote = (id: string, body: unknown, options: { version?: string; token?: string } = {}) =>
    h.request('POST', `/v2.1/servers/${id}/remote-consoles`, { body, version: options.version ?? '2.6', token: options.token ?? h.alice.token });
  const action = (id: string, body: unknown, version = '2.1', token = h.alice.token) =>
    h.request('POST', `/v2.1/servers/${id}/action`, { body, version, token });
  const fault = (res: { statusCode: number; json(): unknown }) => {
    const body = res.json() as Record<string, { code: number; message: string }>;
    const [name] = Object.keys(body);
    return { status: res.statusCode, name, message: body[name!]!.message };
  };

  it('hands out a noVNC URL whose token is stored only hashed and opens the guest\'s RFB once', async () => {
    const vm = await server();
    const res = await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } });
    assert.equal(res.statusCode, 200, res.body);
    const rc = (res.json() as { remote_console: { protocol: string; type: string; url: string } }).remote_console;
    assert.equal(rc.protocol, 'vnc');
    assert.equal(rc.type, 'novnc');
    const m = /^http:\/\/127\.0\.0\.1:(\d+)\/vnc_lite\.html\?path=%3Ftoken%3D([0-9a-f-]{36})$/.exec(rc.url);
    assert.ok(m, rc.url);
    const token = m[2]!;
    const rows = await h.db.selectFrom('nova_console_auth_token').selectAll().where('instance_uuid', '=', vm.uuid).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, hashToken(token));
    assert.ok(!JSON.stringify(rows).includes(token), 'the token itself is not stored');
    assert.equal(rows[0]!.unix_socket, vncSocket);
    assert.ok(Number(rows[0]!.expires) - Date.now() / 1000 > 590, 'expires in 600 s');

    const c = await connectConsole(websocketUrlOf(rc.url));
    await c.waitFor(/^RFB 003\.008\n/);
    c.ws.send(Buffer.from('RFB 003.008\n'));
    await c.waitFor(/^RFB 003\.008\nRFB 003\.008\n$/);
    await c.close();
    assert.equal(await upgradeStatus(websocketUrlOf(rc.url)), 401, 'a used token is refused');
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${m[1]}/?token=${randomUUID()}`), 401, 'an unknown token');
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${m[1]}/?token=not-a-token`), 401, 'a malformed token');
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${m[1]}/`), 401, 'no token');
  });

  it('refuses an expired token, and a foreign Origin without using the token up', async () => {
    const vm = await server();
    const url = (r: { json(): unknown }) => websocketUrlOf((r.json() as { remote_console: { url: string } }).remote_console.url);
    const expired = url(await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } }));
    await h.db.updateTable('nova_console_auth_token').set({ expires: Math.floor(Date.now() / 1000) - 1 }).execute();
    assert.equal(await upgradeStatus(expired), 401);
    const fresh = url(await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } }));
    assert.equal(await upgradeStatus(fresh, { origin: 'http://evil.example' }), 403);
    assert.equal(await upgradeStatus(fresh, { origin: 'https://dash.example' }), 403, 'allowed host, wrong scheme (the URL is http)');
    assert.equal(await upgradeStatus(fresh, { origin: 'http://dash.example' }), 101, 'an allowed origin; the token was still valid');
    const third = url(await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } }));
    assert.equal(await upgradeStatus(third, { origin: `http://127.0.0.1:${new URL(third).port}` }), 101, 'the proxy\'s own origin');
    assert.equal(await h.db.selectFrom('nova_console_auth_token').select('token_hash').where('expires', '<', Math.floor(Date.now() / 1000)).executeTakeFirst(),
      undefined, 'expired rows are dropped when a new token is made');
  });

  it('serial consoles: the legacy action (2.1-2.5) and remote-consoles; tokens work only on their own proxy', async () => {
    const vm = await server();
    const res = await action(vm.uuid, { 'os-getSerialConsole': { type: 'serial' } });
    assert.equal(res.statusCode, 200, res.body);
    const consoleBody = (res.json() as { console: { type: string; url: string } }).console;
    assert.equal(consoleBody.type, 'serial');
    assert.match(consoleBody.url, /^ws:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f-]{36}$/);
    const novnc = (await action(vm.uuid, { 'os-getVNCConsole': { type: 'novnc' } }, '2.5')).json() as { console: { type: string; url: string } };
    assert.equal(novnc.console.type, 'novnc');
    const novncWs = websocketUrlOf(novnc.console.url);
    const serialPort = new URL(consoleBody.url).port;
    assert.equal(await upgradeStatus(`ws://127.0.0.1:${serialPort}/?${new URL(novncWs).searchParams}`), 401, 'a noVNC token on the serial proxy');
    assert.equal(await upgradeStatus(novncWs), 101, 'still good on its own proxy');
    const c = await connectConsole(consoleBody.url);
    await c.waitFor(/RFB/);
    await c.close();
    const v28 = await remote(vm.uuid, { remote_console: { protocol: 'serial', type: 'serial' } }, { version: '2.8' });
    assert.equal(v28.statusCode, 200, v28.body);
    assert.match((v28.json() as { remote_console: { url: string } }).remote_console.url, /^ws:/);
  });

  it('answers Nova\'s errors: schema, type, version, host, agent and visibility', async () => {
    const vm = await server();
    const bodyErr = async (body: unknown, version = '2.6') => fault(await remote(vm.uuid, body, { version }));
    assert.deepEqual(await bodyErr({ remote_console: { protocol: 'vnc', type: 'serial' } }), { status: 400, name: 'badRequest', message: 'Invalid console type serial' });
    assert.deepEqual(await bodyErr({ remote_console: { protocol: 'spice', type: 'spice-html5' } }), { status: 400, name: 'badRequest', message: 'Unavailable console type spice-html5.' });
    assert.equal((await bodyErr({ remote_console: { protocol: 'rdp', type: 'rdp-html5' } })).status, 400);
    assert.equal((await bodyErr({ remote_console: { protocol: 'mks', type: 'webmks' } })).status, 400, 'mks is no schema value before 2.8');
    assert.equal((await bodyErr({ remote_console: { protocol: 'mks', type: 'webmks' } }, '2.8')).message, 'Unavailable console type webmks.');
    assert.match((await bodyErr({ remote_console: { protocol: 'vnc' } })).message, /'type' is a required property/);
    assert.match((await bodyErr({ remote_console: { protocol: 'vnc', type: 'novnc', x: 1 } })).message, /Additional properties are not allowed/);
    assert.equal((await bodyErr({})).status, 400);
    assert.equal((await bodyErr('x')).status, 400);
    assert.equal((await bodyErr(null)).status, 400);
    assert.equal(fault(await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } }, { version: '2.5' })).status, 404, 'remote-consoles is 2.6+');
    assert.equal(fault(await action(vm.uuid, { 'os-getVNCConsole': { type: 'novnc' } }, '2.6')).status, 404, 'the actions end at 2.5');
    assert.deepEqual(fault(await action(vm.uuid, { 'os-getVNCConsole': { type: 'xvpvnc' } })), { status: 400, name: 'badRequest', message: 'Invalid console type xvpvnc' });
    assert.equal(fault(await action(vm.uuid, { 'os-getVNCConsole': { type: 'serial' } })).status, 400);
    assert.equal(fault(await action(vm.uuid, { 'os-getSPICEConsole': { type: 'spice-html5' } })).message, 'Unavailable console type spice-html5.');
    assert.equal(fault(await action(vm.uuid, { 'os-getSerialConsole': {} })).status, 400);

    const unscheduled = await server({ host: null, vm_state: 'building', task_state: 'scheduling' });
    assert.deepEqual(fault(await remote(unscheduled.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } })),
      { status: 409, name: 'conflictingRequest', message: `Instance ${unscheduled.uuid} is not ready` });
    const deleting = await server({ task_state: 'deleting' });
    assert.equal(fault(await remote(deleting.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } })).status, 409);
    const stopped = await server({ vm_state: 'stopped', power_state: 4 });
    notRunning.add(stopped.uuid);
    assert.deepEqual(fault(await remote(stopped.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } })),
      { status: 409, name: 'conflictingRequest', message: `Instance ${stopped.uuid} is not ready` });
    const old = await server();
    noSerial.add(old.uuid);
    assert.deepEqual(fault(await remote(old.uuid, { remote_console: { protocol: 'serial', type: 'serial' } })),
      { status: 400, name: 'badRequest', message: 'Unavailable console type serial.' });
    const missing = randomUUID();
    assert.deepEqual(fault(await remote(missing, { remote_console: { protocol: 'vnc', type: 'novnc' } })),
      { status: 404, name: 'itemNotFound', message: `Instance ${missing} could not be found.` });
    assert.equal(fault(await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } }, { token: h.bob.token })).status, 404, 'bob cannot see alice\'s server');
    const made = await h.db.selectFrom('nova_console_auth_token').select('instance_uuid')
      .where('instance_uuid', 'in', [unscheduled.uuid, deleting.uuid, stopped.uuid, old.uuid]).execute();
    assert.deepEqual(made, [], 'no token for a refused request');
  });

  it('os-console-auth-tokens shows a token to admins (2.31+) without using it up', async () => {
    const vm = await server();
    const url = (await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } })).json() as { remote_console: { url: string } };
    const token = new URL(websocketUrlOf(url.remote_console.url)).searchParams.get('token')!;
    const show = (t: string, version: string, as?: string) => h.request('GET', `/v2.1/os-console-auth-tokens/${t}`, { version, ...(as ? { token: as } : {}) });
    const res = await show(token, '2.31');
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { console: { instance_uuid: vm.uuid, host: 'host-a', port: null, internal_access_path: null } });
    assert.equal(fault(await show(token, '2.30')).status, 401, 'before 2.31 only RDP tokens');
    assert.deepEqual(fault(await show(randomUUID(), '2.31')), { status: 404, name: 'itemNotFound', message: 'Token not found' });
    assert.equal(fault(await show('garbage', '2.31')).status, 404);
    assert.equal(fault(await show(token, '2.31', h.alice.token)).status, 403);
    assert.equal(await upgradeStatus(websocketUrlOf(url.remote_console.url)), 101, 'showing did not use it');
  });

  it('the noVNC listener serves the page and library; the serial one only websockets', async () => {
    const vm = await server();
    const pageUrl = ((await remote(vm.uuid, { remote_console: { protocol: 'vnc', type: 'novnc' } })).json() as { remote_console: { url: string } }).remote_console.url;
    const page = await fetch(pageUrl);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /import RFB from '\.\/core\/rfb\.js'/);
    const origin = new URL(pageUrl).origin;
    const lib = await fetch(`${origin}/core/rfb.js`);
    assert.equal(lib.status, 200);
    assert.match(lib.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${origin}/core/../../package.json`)).status, 404);
    assert.equal((await fetch(`${origin}/nope`)).status, 404);
    assert.equal((await fetch(`${origin}/vnc_lite.html`, { method: 'POST' })).status, 405);
    const serialUrl = ((await remote(vm.uuid, { remote_console: { protocol: 'serial', type: 'serial' } })).json() as { remote_console: { url: string } }).remote_console.url;
    assert.equal((await fetch(serialUrl.replace(/^ws/, 'http'))).status, 426);
  });
});
