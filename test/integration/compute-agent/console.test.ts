// The web console end to end on a real guest (root + QEMU; TCG here): a compute agent boots
// nimbus-cirros (no NIC, config drive) in this process's state directory; the compute API (on the
// harness's database, the same memory bus) hands out console URLs after asking that agent where
// the sockets are; the console proxy bridges them. Checked: QEMU's RFB greeting through the noVNC
// URL's websocket, a used or bogus token refused, the guest's login prompt and its answer to a typed
// user name over the serial websocket (with `console log show` still fed), and noVNC itself in headless
// Chromium (Debian's, driven by playwright-core) reporting "Connected" with the guest's screen
// drawn on its canvas. The guest, its files and the browser are removed in after(), even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { createBus, type Bus } from '../../../src/bus/index.js';
import { createLogger } from '../../../src/core/logger.js';
import type { Image, NetworkClient, PlacementClient } from '../../../src/core/clients/index.js';
import { startComputeHost, type RunningComputeHost } from '../../../src/compute/agent/compute-host.js';
import type { ImageSource } from '../../../src/compute/agent/manager.js';
import { buildGuestImage, type GuestImage } from '../../../src/compute/guest-image/index.js';
import { QemuProcessManager } from '../../../src/compute/virt/qemu-process.js';
import type { InstanceBuild } from '../../../src/compute/rpc/compute-protocol.js';
import { startConsoleProxy, type RunningConsoleProxy } from '../../../src/compute/console-proxy/proxy.js';
import { FakeConductor } from '../../support/fake-conductor.js';
import { startCompute, type ComputeHarness } from '../../support/compute-harness.js';
import { freePort } from '../../support/free-port.js';
import { eventually } from '../../support/eventually.js';
import { connectConsole, upgradeStatus, websocketUrlOf } from '../../support/console-client.js';
import { insertInstance } from '../compute/server-fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = process.getuid?.() !== 0 ? 'needs root' : !existsSync('/usr/bin/qemu-system-x86_64') ? 'needs qemu-system-x86' : false;
const browserSkip = !existsSync(CHROMIUM) ? 'needs Debian\'s chromium' : false;
const HOST = 'cmp-console-t';
const IMAGE_ID = 'c1a55e5e-0000-4000-8000-00000000c0c0';

/** Placement double: registration only needs these to succeed. */
const placement = { ensureResourceProvider: async () => undefined, setInventories: async () => undefined, setProviderTraits: async () => undefined } as unknown as PlacementClient;
/** A guest without NICs asks the network service for nothing but its (absent) ports on delete. */
const network = { listPortsByDevice: async () => [], listSecurityGroups: async () => [] } as unknown as NetworkClient;

describe('web console on a real guest (noVNC and serial through the proxy)', { skip }, () => {
  let bus: Bus;
  let h: ComputeHarness;
  let host: RunningComputeHost | undefined;
  let proxy: RunningConsoleProxy | undefined;
  let browser: Browser | undefined;
  let conductor: FakeConductor;
  let guest: GuestImage;
  let stateDir = '';
  const uuid = randomUUID();
  const logger = createLogger(process.env.NIMBUS_TEST_LOG ?? 'silent');

  const images: ImageSource = {
    getImage: async (id) => ({ id, status: 'active', disk_format: 'qcow2', os_hash_algo: 'sha256', os_hash_value: guest.sha256, checksum: null, size: guest.sizeBytes } as unknown as Image),
    downloadImage: async (_id, dest) => { copyFileSync(guest.path, dest); },
    uploadImageData: async () => undefined,
    deleteImage: async () => undefined,
    listImages: async () => [],
  };

  before(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'nimbus-con-'));
    guest = await buildGuestImage({ outDir: join(process.cwd(), 'dist', 'guest-image') });
    bus = await createBus({ driver: 'memory' });
    conductor = new FakeConductor(HOST);
    await conductor.serve(bus);
    const [novncPort, serialPort] = [await freePort(), await freePort()];
    h = await startCompute({
      bus, compute: { console: { novncBaseUrl: `http://127.0.0.1:${novncPort}/vnc_lite.html`, serialBaseUrl: `ws://127.0.0.1:${serialPort}/` } },
    });
    proxy = await startConsoleProxy({ db: h.db, bindHost: '127.0.0.1', novncPort, serialPort, allowedOrigins: [], logger });
    host = await startComputeHost({
      bus, host: HOST, stateDir, logger, clients: { image: images, network, placement },
      vifPlugTimeoutMs: 10_000, shutdownTimeoutMs: 5_000, powerSyncIntervalMs: 3_600_000, reportIntervalMs: 3_600_000,
      resources: () => ({
        hypervisor_hostname: HOST, hypervisor_version: 7002000, vcpus: 2, memory_mb: 4096, local_gb: 20, vcpus_used: 0, memory_mb_used: 512,
        local_gb_used: 0, running_vms: 0, disk_available_least: 20, cpu_info: { arch: 'x86_64' }, cpu_flags: [],
      }),
    });
    await insertInstance(h.db, { uuid, project_id: h.alice.projectId, user_id: h.alice.userId, host: HOST, node: HOST });
    conductor.servers.set(uuid, { vm_state: 'building', task_state: 'spawning', power_state: 0, network_info: [] });
    const build: InstanceBuild = {
      uuid, project_id: h.alice.projectId, user_id: h.alice.userId, display_name: 'console vm', hostname: 'console-vm',
      flavor: { id: 1, flavorid: '1', name: 'm1.test', memory_mb: 256, vcpus: 1, root_gb: 1, ephemeral_gb: 0, swap: 0, rxtx_factor: 1, description: null, extra_specs: {} },
      image_id: IMAGE_ID, key_name: null, key_data: null, user_data: null, config_drive: true, metadata: {}, requested_networks: [],
      security_groups: [], availability_zone: null, launch_index: 0, node_uuid: randomUUID(), attempt: 1, request_id: `req-${randomUUID()}`, admin_password: null,
    };
    await bus.cast({ topic: 'compute', host: HOST }, 'build_and_run_instance', { build });
    await eventually('the guest ACTIVE', async () => (conductor.servers.get(uuid)?.vm_state === 'active' ? true : undefined), 120_000, 500);
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await proxy?.close().catch(() => undefined);
    await host?.stop().catch(() => undefined);
    if (stateDir) {
      const m = new QemuProcessManager({ stateDir });
      for (const id of await m.list().catch(() => [] as string[])) await m.destroy(id).catch(() => undefined);
      m.close();
    }
    await conductor?.server?.stop().catch(() => undefined);
    await h?.close().catch(() => undefined);
    await bus?.close().catch(() => undefined);
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const consoleUrl = async (protocol: 'vnc' | 'serial', type: 'novnc' | 'serial'): Promise<string> => {
    const res = await h.request('POST', `/v2.1/servers/${uuid}/remote-consoles`, { body: { remote_console: { protocol, type } }, version: '2.6', token: h.alice.token });
    assert.equal(res.statusCode, 200, res.body);
    return (res.json() as { remote_console: { url: string } }).remote_console.url;
  };

  it('the noVNC URL\'s websocket reaches QEMU\'s VNC server (RFB 003.008) once; a bogus token never', async () => {
    const ws = websocketUrlOf(await consoleUrl('vnc', 'novnc'));
    const c = await connectConsole(ws);
    await c.waitFor(/^RFB 003\.008\n/);
    await c.close();
    assert.equal(await upgradeStatus(ws), 401, 'reused');
    assert.equal(await upgradeStatus(ws.replace(/token=[^&]+/, `token=${randomUUID()}`)), 401, 'bogus');
  });

  it('the serial websocket is the guest\'s ttyS0: Enter brings the login prompt, a typed user name its answer', async () => {
    const c = await connectConsole(await consoleUrl('serial', 'serial'));
    try {
      c.ws.send(Buffer.from('\r'));
      await c.waitFor(/console-vm login: ?$/m, 120_000);
      // The image's accounts are key-only: login echoes the name, refuses it and asks again.
      c.ws.send(Buffer.from('cirros\r'));
      await c.waitFor(/login: cirros\s+Login incorrect[\s\S]*login: ?$/, 20_000);
    } finally {
      await c.close();
    }
    const log = (await bus.call({ topic: 'compute', host: HOST }, 'get_console_output', { uuid }, { timeoutMs: 10_000 })) as { output: string };
    assert.match(log.output, /login: cirros\s+Login incorrect/, 'what the serial console showed is in console.log too');
  });

  it('noVNC in headless Chromium connects and draws the guest\'s screen', { skip: browserSkip }, async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
    const page = await browser.newPage({ viewport: { width: 1024, height: 768 } });
    await page.goto(await consoleUrl('vnc', 'novnc'));
    // Expressions run in the page (this project compiles without the DOM's types).
    await page.waitForFunction(`/^Connected/.test(document.getElementById('status')?.textContent ?? '')`, undefined, { timeout: 30_000 });
    // The guest's VGA text console (kernel messages, the prompt) on noVNC's canvas: more than one colour.
    const colours = await page.waitForFunction(`(() => {
      const canvas = document.querySelector('#screen canvas');
      if (!canvas || canvas.width === 0) return false;
      const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
      const seen = new Set();
      for (let i = 0; i < data.length; i += 4 * 7) seen.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      return seen.size >= 2 ? seen.size : false;
    })()`, undefined, { timeout: 30_000, polling: 500 });
    assert.ok(Number(await colours.jsonValue()) >= 2);
    const shot = await page.screenshot();
    if (process.env.NIMBUS_TEST_SCREENSHOT) writeFileSync(process.env.NIMBUS_TEST_SCREENSHOT, shot);
    assert.match(await page.textContent('#status') ?? '', /^Connected/);
  });
});
