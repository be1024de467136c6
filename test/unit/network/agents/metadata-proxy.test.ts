import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forwardedAddress, instanceIdSignature } from '../../../../src/network/agents/metadata/metadata-agent.js';
import { renderMetadataProxyConfig } from '../../../../src/network/agents/metadata/proxy-config.js';
import { metadataProxyDaemon } from '../../../../src/network/agents/metadata/proxy.js';

test('X-Instance-ID-Signature is the hex HMAC-SHA256 of the instance id', () => {
  // Same value as Python: hmac.new(b'secret', b'instance-1', hashlib.sha256).hexdigest()
  const expected = createHmac('sha256', 'secret').update('instance-1').digest('hex');
  assert.equal(instanceIdSignature('secret', 'instance-1'), expected);
  assert.equal(instanceIdSignature('key', 'The quick brown fox jumps over the lazy dog'),
    'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8'); // the well-known HMAC-SHA256 example
});

test('the instance address is the last X-Forwarded-For entry (the one the proxy added)', () => {
  assert.equal(forwardedAddress('10.0.0.5'), '10.0.0.5');
  assert.equal(forwardedAddress('6.6.6.6, 10.0.0.5'), '10.0.0.5');
  assert.equal(forwardedAddress(['1.2.3.4', '10.0.0.5']), '10.0.0.5');
  assert.equal(forwardedAddress('2001:DB8::5'), '2001:db8::5');
  assert.equal(forwardedAddress('not-an-ip'), undefined);
  assert.equal(forwardedAddress(undefined), undefined);
});

test('proxy config: network or router header, forwardfor, unix socket server, foreground', () => {
  const text = renderMetadataProxyConfig({ bindAddress: '169.254.169.254', port: 80, networkId: 'net-1', socketPath: '/var/lib/nimbus/metadata_proxy' });
  assert.match(text, /^listen listener$/m);
  assert.match(text, /^ {4}bind 169\.254\.169\.254:80$/m);
  assert.match(text, /^ {4}option forwardfor$/m);
  assert.match(text, /^ {4}http-request del-header X-Neutron-Router-ID$/m);
  assert.match(text, /^ {4}http-request set-header X-Neutron-Network-ID net-1$/m);
  assert.match(text, /^ {4}server metadata \/var\/lib\/nimbus\/metadata_proxy$/m);
  assert.match(text, /^ {4}maxconn 1024$/m);
  assert.doesNotMatch(text, /^\s*daemon\b/m);
  const router = renderMetadataProxyConfig({ bindAddress: '0.0.0.0', port: 9697, routerId: 'r-1', socketPath: '/s' });
  assert.match(router, /^ {4}http-request set-header X-Neutron-Router-ID r-1$/m);
  assert.match(router, /^ {4}bind 0\.0\.0\.0:9697$/m);
  assert.throws(() => renderMetadataProxyConfig({ bindAddress: '0.0.0.0', port: 80, routerId: 'r', networkId: 'n', socketPath: '/s' }));
  assert.throws(() => renderMetadataProxyConfig({ bindAddress: '0.0.0.0', port: 80, routerId: 'r\nserver x', socketPath: '/s' }));
  assert.throws(() => renderMetadataProxyConfig({ bindAddress: '0.0.0.0', port: 80, routerId: 'r', socketPath: '/s s' }));
});

test('metadataProxyDaemon writes a content-addressed config and returns a foreground haproxy spec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nimbus-mdproxy-'));
  try {
    const options = { id: 'haproxy-qrouter-r1', netns: 'qrouter-r1', bindAddress: '0.0.0.0', port: 9697, routerId: 'r1', socketPath: '/run/m.sock', stateDir: dir };
    const spec = metadataProxyDaemon(options);
    assert.equal(spec.id, 'haproxy-qrouter-r1');
    assert.equal(spec.netns, 'qrouter-r1');
    assert.equal(spec.command, 'haproxy');
    assert.equal(spec.args[0], '-db');
    assert.equal(spec.args[1], '-f');
    assert.match(readFileSync(spec.args[2]!, 'utf8'), /X-Neutron-Router-ID r1/);
    assert.deepEqual(metadataProxyDaemon(options), spec); // idempotent
    const moved = metadataProxyDaemon({ ...options, socketPath: '/run/other.sock' });
    assert.notEqual(moved.args[2], spec.args[2]); // a new config is a new command line: Daemons restarts
    assert.deepEqual(readdirSync(dir).filter((n) => n.endsWith('.cfg')), [moved.args[2]!.slice(dir.length + 1)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
