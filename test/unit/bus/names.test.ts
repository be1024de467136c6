// Name rules that keep AMQP routing unambiguous, and the glob used for notification patterns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidArgumentError } from '../../../src/bus/index.js';
import { notificationBinding, redactUrl } from '../../../src/bus/amqp-topology.js';
import { checkEventType, checkHost, checkMethod, checkPositiveInteger, checkTarget, checkTopic } from '../../../src/bus/names.js';
import { compilePattern } from '../../../src/bus/pattern.js';

test('topics have no dots; hosts may be DNS names; methods are identifiers', () => {
  for (const topic of ['compute', 'l2-agent', 'dhcp_agent']) assert.equal(checkTopic(topic), topic);
  for (const topic of ['', 'compute.node1', 'a*', 'a#', 'a b', 42]) assert.throws(() => checkTopic(topic), InvalidArgumentError);
  for (const host of ['node1', 'compute-1.example.com']) assert.equal(checkHost(host), host);
  for (const host of ['', '.node', 'node.', 'a..b', 'node*', 'x'.repeat(201)]) assert.throws(() => checkHost(host), InvalidArgumentError);
  assert.equal(checkMethod('get_device_details'), 'get_device_details');
  for (const method of ['', '1st', 'a-b', 'a.b']) assert.throws(() => checkMethod(method), InvalidArgumentError);
  assert.equal(checkEventType('identity.user.created'), 'identity.user.created');
  assert.throws(() => checkEventType('port.*'), InvalidArgumentError);
  assert.deepEqual(checkTarget({ topic: 'compute', host: 'node1' }), { topic: 'compute', host: 'node1' });
  assert.throws(() => checkTarget(null as never), InvalidArgumentError);
  assert.equal(checkPositiveInteger('timeoutMs', 1), 1);
  for (const bad of [0, -1, 1.5, Number.NaN, '5']) assert.throws(() => checkPositiveInteger('timeoutMs', bad), InvalidArgumentError);
});

test('notification patterns are globs where * spans dots', () => {
  const cases: ReadonlyArray<readonly [string, string, boolean]> = [
    ['*', 'port.create.end', true],
    ['port.*', 'port.create.end', true],
    ['port.*', 'port', false],
    ['port.*', 'portal.update', false],
    ['*.end', 'port.create.end', true],
    ['identity.user.created', 'identity.user.created', true],
    ['identity.user.created', 'identity.user.createdX', false],
    ['port.cr*.end', 'port.create.end', true],
  ];
  for (const [pattern, eventType, expected] of cases) {
    assert.equal(compilePattern(pattern)(eventType), expected, `${pattern} vs ${eventType}`);
  }
  for (const bad of ['', 'port.#', 'port.+', 'a b']) assert.throws(() => compilePattern(bad), InvalidArgumentError);
});

test('a pattern binds on its literal words; the glob filters the rest', () => {
  assert.equal(notificationBinding('*'), 'notify.#');
  assert.equal(notificationBinding('port.*'), 'notify.port.#');
  assert.equal(notificationBinding('identity.user.*'), 'notify.identity.user.#');
  assert.equal(notificationBinding('port*'), 'notify.#');
  assert.equal(notificationBinding('port.create.end'), 'notify.port.create.end');
});

test('broker URLs are logged without their password', () => {
  assert.equal(redactUrl('amqp://nimbus:s3cret@mq.example.com:5672/prod'), 'amqp://nimbus:***@mq.example.com:5672/prod');
  assert.equal(redactUrl('amqp://mq.example.com'), 'amqp://mq.example.com');
});
