// The bus's error catalogue: every error is a BusError with its own name and a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BusClosedError, BusConnectionError, BusError, BusMessageError, BusTimeoutError, InvalidArgumentError, RemoteError,
} from '../../../src/bus/index.js';

test('every bus error has a distinct name, a message, and is a BusError', () => {
  const errors: readonly Error[] = [
    new RemoteError('NotFound', 'port p1 could not be found'),
    new BusTimeoutError('compute.node1', 'spawn', 500),
    new BusClosedError(),
    new BusConnectionError('cannot connect', { cause: new Error('ECONNREFUSED') }),
    new InvalidArgumentError('topic', 'a.b', 'no dots'),
    new BusMessageError('not JSON'),
  ];
  const names = new Set<string>();
  for (const error of errors) {
    assert.ok(error instanceof BusError, error.name);
    assert.ok(error.message.length > 0, error.name);
    assert.equal(error.name, error.constructor.name);
    names.add(error.name);
  }
  assert.equal(names.size, errors.length);
});

test('RemoteError and BusTimeoutError carry what callers branch on', () => {
  const remote = new RemoteError('Conflict', 'busy');
  assert.equal(remote.remoteName, 'Conflict');
  assert.equal(remote.remoteMessage, 'busy');
  assert.equal(remote.message, 'Conflict: busy');
  const timeout = new BusTimeoutError('scheduler', 'select', 250);
  assert.equal(timeout.timeoutMs, 250);
  assert.match(timeout.message, /250 ms .* select on scheduler/);
  assert.match(new InvalidArgumentError('host', 'a b', 'no spaces').message, /invalid host "a b": no spaces/);
});
