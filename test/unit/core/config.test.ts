import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, parseConfig } from '../../../src/core/config.js';

test('defaults are complete and the database lives in the data directory', () => {
  const c = parseConfig({ dataDir: '/tmp/x' });
  assert.equal(c.identity.port, 5000);
  assert.equal(c.databaseUrl, 'sqlite:///tmp/x/nimbus.sqlite');
  assert.deepEqual(c.bus, { driver: 'memory' });
  assert.equal(c.identity.enforceScope, false);
  assert.ok(Object.isFrozen(c));
});

test('environment variables override the file', () => {
  const c = parseConfig({ dataDir: '/tmp/x', identity: { port: 1 } }, {
    NIMBUS_IDENTITY_PORT: '5999', NIMBUS_BUS_URL: 'amqp://guest:guest@localhost:5672/', NIMBUS_IDENTITY_ENFORCE_SCOPE: 'true',
  });
  assert.equal(c.identity.port, 5999);
  assert.deepEqual(c.bus, { driver: 'amqp', url: 'amqp://guest:guest@localhost:5672/' });
  assert.equal(c.identity.enforceScope, true);
});

test('bad values fail with the key named', () => {
  assert.throws(() => parseConfig({ identity: { port: 70000 } }), (e: unknown) => e instanceof ConfigError && /identity\.port/.test(e.message));
  assert.throws(() => parseConfig({ databaseUrl: 'mysql://x' }), /databaseUrl/);
  assert.throws(() => parseConfig({ bus: { driver: 'zeromq' } }), /bus\.driver/);
  assert.throws(() => parseConfig({ logLevel: 'loud' }), /logLevel/);
  assert.throws(() => parseConfig({ identity: { enforceScope: 'maybe' } }), /identity\.enforceScope/);
});
