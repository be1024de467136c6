// The nimbus-cirros test image (root; real QEMU under TCG): built twice (same bytes, then the
// cache), booted inside a namespace with a tap on a bridge, dnsmasq and a metadata server; the
// serial log must show DHCP, metadata, the user-data script and "ready", and SSH with the injected
// key must work. Everything (namespace, QEMU, files) is removed in after(), even on failure.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../src/hostnet/index.js';
import { buildGuestImage, type GuestImage } from '../../../src/compute/guest-image/index.js';
import { buildCpio } from '../../../src/compute/guest-image/cpio.js';
import { GATEWAY, MTU, readText, startGuestNet, waitFor, type GuestNet } from './guest-net.js';

const isRoot = process.getuid?.() === 0;
const hasQemu = existsSync('/usr/bin/qemu-system-x86_64');
const PORT_ID = 'c0ffee00-1234-4abc-8def-000000000005';
const TAP = `tap${PORT_ID.slice(0, 11)}`;
const MAC = 'fa:16:3e:00:93:05';
const IP = '10.93.0.5';
const HOSTNAME = 'vm-guest-test';

describe('guest image: cpio writer', () => {
  it('writes newc records with fixed inode numbers, mtimes and the trailer', () => {
    const a = buildCpio([{ type: 'dir', path: '/etc' }, { type: 'file', path: 'etc/x', data: Buffer.from('hello'), mode: 0o600 },
      { type: 'symlink', path: 'etc/y', target: 'x' }, { type: 'char', path: 'console', major: 5, minor: 1 }], 1234);
    const b = buildCpio([{ type: 'dir', path: 'etc/' }, { type: 'file', path: '/etc/x', data: Buffer.from('hello'), mode: 0o600 },
      { type: 'symlink', path: 'etc/y', target: 'x' }, { type: 'char', path: 'console', major: 5, minor: 1 }], 1234);
    assert.ok(a.equals(b));
    const text = a.toString('latin1');
    assert.equal(a.length % 4, 0);
    assert.ok(text.startsWith('070701' + '00000001' + '000041ed'));
    assert.ok(text.includes(['070701', '00000002', '00008180', '00000000', '00000000', '00000001', '000004d2', '00000005'].join('')));
    assert.ok(text.includes('etc/x\0'));
    assert.ok(text.includes('TRAILER!!!\0'));
    assert.throws(() => buildCpio([{ type: 'dir', path: '../x' }]), /bad cpio path/);
    assert.throws(() => buildCpio([{ type: 'dir', path: 'a' }, { type: 'dir', path: '/a' }]), /duplicate/);
  });
});

describe('guest image: build and boot under QEMU', { skip: !isRoot ? 'needs root' : !hasQemu ? 'needs qemu-system-x86' : false }, () => {
  let work = '';
  let image: GuestImage;
  let net: GuestNet | undefined;
  let serial = '';
  let bootMs = 0;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'nimbus-guest-image-'));
  });

  after(async () => {
    if (net) await net.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('builds reproducibly and caches by inputs', async () => {
    const t0 = Date.now();
    image = await buildGuestImage({ outDir: join(work, 'a') });
    const buildMs = Date.now() - t0;
    assert.equal(image.built, true);
    assert.match(image.path, /nimbus-cirros-[0-9a-f]{16}\.qcow2$/);
    assert.equal(statSync(image.path).size, image.sizeBytes);
    const info = JSON.parse((await run('qemu-img', ['info', '--output=json', image.path])).stdout) as Record<string, unknown>;
    assert.equal(info.format, 'qcow2');
    assert.equal(info['virtual-size'], image.virtualSizeBytes);
    const again = await buildGuestImage({ outDir: join(work, 'b') });
    assert.equal(again.sha256, image.sha256, 'a second build gives the same bytes');
    const cached = await buildGuestImage({ outDir: join(work, 'a') });
    assert.equal(cached.built, false);
    assert.equal(cached.sha256, image.sha256);
    rmSync(join(work, 'b'), { recursive: true, force: true });
    console.log(`# guest image: ${image.sizeBytes} bytes, built in ${buildMs} ms, kernel ${image.kernelVersion}`);
  });

  it('boots: DHCP, metadata, user-data, ready, then SSH as cirros with the injected key', async () => {
    net = await startGuestNet('cg');
    await net.addLease(MAC, IP, 'host-10-93-0-5');
    net.setMetadata('/openstack/latest/meta_data.json', JSON.stringify({
      uuid: PORT_ID, name: HOSTNAME, hostname: HOSTNAME, launch_index: 0, availability_zone: 'nova',
      public_keys: { k1: `${net.publicKey}\n` }, keys: [{ name: 'k1', type: 'ssh', data: `${net.publicKey}\n` }], meta: {},
    }));
    net.setMetadata('/openstack/latest/user_data', '#!/bin/sh\necho "USERDATA-MARKER ran as $(id -u) on $(hostname)"\necho made-by-user-data > /tmp/user-data-proof\n');
    const overlay = join(work, 'overlay.qcow2');
    await run('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'qcow2', '-b', image.path, overlay]);
    const serialLog = join(work, 'serial.log');
    const started = Date.now();
    await net.daemons.ensure({
      id: 'guest-qemu', netns: net.netns, command: 'qemu-system-x86_64', logFile: join(work, 'qemu.log'),
      args: ['-name', 'guest-image-test', '-machine', 'pc', '-accel', 'tcg', '-m', '256', '-nodefaults', '-display', 'none',
        '-serial', `file:${serialLog}`, '-drive', `file=${overlay},format=qcow2,if=virtio`,
        '-netdev', `tap,id=n0,ifname=${TAP},script=no,downscript=no`, '-device', `virtio-net-pci,netdev=n0,mac=${MAC}`],
    });
    await net.plugTap(TAP);
    serial = await waitFor('nimbus-init: ready on the serial console', () => {
      const text = readText(serialLog);
      return /nimbus-init: ready/.test(text) ? text : undefined;
    }, 80_000, () => `serial log:\n${readText(serialLog)}\nqemu log:\n${readText(join(work, 'qemu.log'))}`);
    bootMs = Date.now() - started;
    console.log(`# boot to ready: ${bootMs} ms wall (guest uptime ${/nimbus-init: ready (\S+)/.exec(serial)?.[1]})`);

    assert.match(serial, new RegExp(`nimbus-init: dhcp ok ${IP.replace(/\./g, '\\.')} mask 24 router ${GATEWAY.replace(/\./g, '\\.')} mtu ${MTU}`));
    assert.match(serial, /nimbus-init: metadata ok from http:\/\/169\.254\.169\.254\/openstack/);
    assert.match(serial, new RegExp(`nimbus-init: hostname ${HOSTNAME}`));
    assert.match(serial, /nimbus-init: public keys 1 installed for cirros/);
    assert.match(serial, new RegExp(`USERDATA-MARKER ran as 0 on ${HOSTNAME}`));
    assert.match(serial, /nimbus-init: user-data script exit 0/);
    assert.match(serial, /nimbus-init: ssh ok/);
    const requests = net.metadataRequests();
    assert.ok(requests.some((r) => r.startsWith('GET /openstack/latest/meta_data.json 200 from 10.93.0.5')), requests.join('\n'));

    const t0 = Date.now();
    const out = await waitFor('ssh cirros@guest', () => net!.ssh('cirros', IP, 'echo hi; id -un; hostname; cat /tmp/user-data-proof').catch(() => undefined), 30_000);
    console.log(`# first ssh command: ${Date.now() - t0} ms`);
    assert.deepEqual(out.trim().split('\n'), ['hi', 'cirros', HOSTNAME, 'made-by-user-data']);
  });
});
