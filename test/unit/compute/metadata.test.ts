// The metadata API's pure parts: path normalisation, ec2_md_print, signatures, password chunks,
// and version gating of the OpenStack tree.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ec2InstanceId, ec2Print, InstanceMetadata, normalisePath, OPENSTACK_VERSIONS } from '../../../src/compute/metadata/content.js';
import { extractPassword, parseSystemMetadata as parsePasswordSafe, passwordEntries } from '../../../src/compute/metadata/password.js';
import { instanceSignature, signatureMatches } from '../../../src/compute/metadata/service.js';
import { instanceIdSignature } from '../../../src/network/agents/metadata/metadata-agent.js';
import type { InstanceRow } from '../../../src/compute/db/schema.js';

const row = {
  uuid: 'u-1', id: 255, project_id: 'p', user_id: 'u', display_name: 'n', hostname: 'h', launch_index: 2, image_ref: '',
  flavor: 'not json', reservation_id: 'r-1', key_name: null, user_data: null, root_device_name: null, system_metadata: '{}',
} as unknown as InstanceRow;

const md = (over: Partial<InstanceRow> = {}, dhcpDomain = ''): InstanceMetadata => new InstanceMetadata({
  instance: { ...row, ...over }, meta: {}, key: undefined, network: {}, availabilityZone: 'nova', dhcpDomain, address: undefined, vendorData: {}, vendorData2: { x: 1 },
});

const body = (m: InstanceMetadata, path: string): string | undefined => {
  const r = m.lookup(path);
  return r.kind === 'data' ? r.body.toString() : undefined;
};

describe('metadata paths and printing', () => {
  it('normalises like posixpath.normpath', () => {
    assert.equal(normalisePath(''), '/');
    assert.equal(normalisePath('//a/./b/'), '/a/b');
    assert.equal(normalisePath('/a/../../b'), '/b');
  });

  it('prints dicts, lists, numbers and named dicts as ec2_md_print', () => {
    assert.equal(ec2Print({ b: 'x', a: { c: 'y' }, k: { _name: '0=k', z: 'q' } }), 'a/\nb\n0=k');
    assert.equal(ec2Print(['a', 'b']), 'a\nb');
    assert.equal(ec2Print(3), '3');
    assert.equal(ec2Print(null), 'None');
    assert.equal(ec2Print({ _name: 'n', x: 'v' }), 'x');
  });

  it('formats EC2 instance and image ids', () => {
    assert.equal(ec2InstanceId(255), 'i-000000ff');
    assert.equal(body(md(), '/latest/meta-data/instance-id'), 'i-000000ff');
    assert.equal(body(md(), '/latest/meta-data/ami-id'), 'ami-00000000');
    assert.equal(body(md({ image_ref: 'ABCDEF12-0000' }), '/latest/meta-data/ami-id'), 'ami-abcdef12');
    assert.equal(body(md(), '/latest/meta-data/instance-type'), '', 'a broken flavor snapshot gives an empty name');
    assert.equal(body(md(), '/latest/meta-data/block-device-mapping'), 'ami\nephemeral0\nroot\nswap');
    assert.equal(body(md(), '/latest/meta-data/local-ipv4'), 'None');
  });

  it('appends the dhcp domain to hostnames when set', () => {
    assert.equal(body(md(), '/latest/meta-data/hostname'), 'h');
    assert.equal(body(md({}, 'example.org'), '/latest/meta-data/hostname'), 'h.example.org');
  });

  it('gates OpenStack files by version', () => {
    const m = md();
    assert.equal(OPENSTACK_VERSIONS.at(-1), '2020-10-14');
    assert.equal(body(m, '/openstack/2016-06-30'), 'meta_data.json\npassword\nvendor_data.json\nnetwork_data.json');
    assert.equal(body(m, '/openstack/latest/vendor_data2.json'), '{"x":1}');
    assert.equal(m.lookup('/openstack/latest/password').kind, 'password');
    assert.equal(m.lookup('/openstack/2012-08-10/password').kind, 'missing');
    assert.equal(m.lookup('/openstack/bogus').kind, 'missing');
    const launch = JSON.parse(body(m, '/openstack/latest/meta_data.json')!);
    assert.equal(launch.launch_index, 2);
    assert.equal(launch.availability_zone, 'nova');
  });
});

describe('metadata signatures', () => {
  it('matches what the network metadata agent sends', () => {
    assert.equal(instanceSignature('s', 'id'), instanceIdSignature('s', 'id'));
    assert.ok(signatureMatches('s', 'id', instanceIdSignature('s', 'id')));
    assert.ok(!signatureMatches('s', 'id', instanceIdSignature('t', 'id')));
    assert.ok(!signatureMatches('s', 'id', instanceIdSignature('s', 'id2')));
    assert.ok(!signatureMatches('s', 'id', ''));
    assert.ok(!signatureMatches('s', 'id', `${instanceIdSignature('s', 'id')}0`));
  });
});

describe('metadata password chunks', () => {
  it('splits into four chunks of 255 and joins them back', () => {
    const pw = 'p'.repeat(300);
    const entries = passwordEntries(pw);
    assert.deepEqual(Object.keys(entries), ['password_0', 'password_1', 'password_2', 'password_3']);
    assert.equal(entries['password_0']!.length, 255);
    assert.equal(extractPassword({ ...entries, image_x: 'y' }), pw);
    assert.equal(extractPassword(passwordEntries('')), '');
    assert.equal(extractPassword({ password_0: 5 }), '');
  });

  it('reads broken system metadata as empty', () => {
    assert.deepEqual(parsePasswordSafe('nope'), {});
    assert.deepEqual(parsePasswordSafe('[1]'), {});
    assert.deepEqual(parsePasswordSafe('{"a":"b"}'), { a: 'b' });
  });
});
