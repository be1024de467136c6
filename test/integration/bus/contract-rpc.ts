// Contract: call, cast and fanout deliver where oslo.messaging says they do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusTimeoutError, RemoteError, UNSUPPORTED_METHOD } from '../../../src/bus/index.js';
import type { CallContext } from '../../../src/bus/index.js';
import { fixture, quietPeriod, Tally, uniqueTopic, waitFor } from './contract-helpers.js';
import type { MakeBus } from './contract-helpers.js';

class NotFound extends Error {}

export function rpcContract(makeBus: MakeBus): void {
  test('call returns the handler result; args travel as JSON; the handler gets a context', async (t) => {
    const f = fixture(t, makeBus);
    const [client, server] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('compute');
    let seen: CallContext | undefined;
    await server.serve(topic, 'node1', {
      add: async (args, ctx) => {
        seen = ctx;
        return { sum: Number(args.a) + Number(args.b) };
      },
      echo: async (args) => args,
      nothing: async () => undefined,
    });
    assert.deepEqual(await client.call({ topic }, 'add', { a: 2, b: 3 }), { sum: 5 });
    assert.equal(seen?.kind, 'call');
    assert.equal(seen?.method, 'add');
    assert.equal(seen?.topic, topic);
    assert.equal(seen?.host, 'node1');
    assert.equal(seen?.redelivered, false);
    assert.ok(typeof seen?.messageId === 'string' && seen.messageId.length > 0);
    const echoed = await client.call({ topic }, 'echo', { at: new Date(0), list: [1, 'x', null], gone: undefined });
    assert.deepEqual(echoed, { at: '1970-01-01T00:00:00.000Z', list: [1, 'x', null] });
    assert.equal(await client.call({ topic }, 'nothing'), null);
  });

  test('a handler error rejects the call with RemoteError carrying its name and message', async (t) => {
    const f = fixture(t, makeBus);
    const [client, server] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('network');
    await server.serve(topic, 'node1', {
      find: async (args) => {
        throw new NotFound(`port ${String(args.id)} could not be found`);
      },
    });
    const error = await client.call({ topic }, 'find', { id: 'p1' }).then(
      () => assert.fail('expected a RemoteError'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof RemoteError);
    assert.equal(error.remoteName, 'NotFound');
    assert.equal(error.remoteMessage, 'port p1 could not be found');
    assert.match(error.message, /NotFound: port p1 could not be found/);
  });

  test('a call to a method the server lacks rejects with RemoteError UnsupportedMethod', async (t) => {
    const f = fixture(t, makeBus);
    const [client, server] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('compute');
    await server.serve(topic, 'node1', { known: async () => 'ok' });
    for (const method of ['unknown', 'toString', 'constructor']) {
      await assert.rejects(client.call({ topic }, method), (error: unknown) => {
        assert.ok(error instanceof RemoteError);
        assert.equal(error.remoteName, UNSUPPORTED_METHOD);
        assert.match(error.remoteMessage, new RegExp(`does not support RPC method ${method}`));
        return true;
      });
    }
  });

  test('a call nobody serves rejects with BusTimeoutError', async (t) => {
    const f = fixture(t, makeBus);
    const [client, server] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('scheduler');
    await assert.rejects(client.call({ topic }, 'select', {}, { timeoutMs: 300 }), BusTimeoutError);
    await server.serve(topic, 'node1', { select: async () => 'ok' });
    await assert.rejects(client.call({ topic, host: 'node2' }, 'select', {}, { timeoutMs: 300 }), (error: unknown) => {
      assert.ok(error instanceof BusTimeoutError);
      assert.equal(error.timeoutMs, 300);
      assert.match(error.message, new RegExp(`select on ${topic}\\.node2`));
      return true;
    });
  });

  test('concurrent calls each get their own reply', async (t) => {
    const f = fixture(t, makeBus);
    const [client, s1, s2] = [await f.bus(), await f.bus(), await f.bus()];
    const topic = uniqueTopic('conductor');
    const double = { double: async (args: { readonly [key: string]: unknown }) => Number(args.n) * 2 };
    await s1.serve(topic, 'node1', double);
    await s2.serve(topic, 'node2', double);
    const results = await Promise.all(Array.from({ length: 20 }, (_, n) => client.call({ topic }, 'double', { n })));
    assert.deepEqual(results, Array.from({ length: 20 }, (_, n) => n * 2));
  });

  test('cast reaches exactly one of two servers, which take turns', async (t) => {
    const f = fixture(t, makeBus);
    const [client, s1, s2] = [await f.bus(), await f.bus(), await f.bus()];
    const topic = uniqueTopic('l3-agent');
    const tally = new Tally();
    for (const [bus, host] of [[s1, 'node1'], [s2, 'node2']] as const) {
      await bus.serve(topic, host, { sync: async (args, ctx) => tally.record(ctx.host, args.seq) });
    }
    for (let seq = 0; seq < 20; seq++) await client.cast({ topic }, 'sync', { seq });
    await waitFor('20 casts', () => tally.total >= 20);
    await quietPeriod();
    assert.equal(tally.total, 20);
    assert.deepEqual(tally.all(), Array.from({ length: 20 }, (_, i) => i));
    assert.ok(tally.of('node1').length > 0 && tally.of('node2').length > 0, 'both servers take casts');
  });

  test('a host-targeted cast or call reaches only that host', async (t) => {
    const f = fixture(t, makeBus);
    const [client, s1, s2] = [await f.bus(), await f.bus(), await f.bus()];
    const topic = uniqueTopic('compute');
    const tally = new Tally();
    for (const [bus, host] of [[s1, 'node1.example.com'], [s2, 'node2.example.com']] as const) {
      await bus.serve(topic, host, {
        boot: async (args, ctx) => tally.record(ctx.host, args.seq),
        whoami: async (_args, ctx) => ctx.host,
      });
    }
    for (let seq = 0; seq < 6; seq++) await client.cast({ topic, host: 'node2.example.com' }, 'boot', { seq });
    for (let i = 0; i < 6; i++) {
      assert.equal(await client.call({ topic, host: 'node1.example.com' }, 'whoami'), 'node1.example.com');
    }
    await waitFor('6 casts', () => tally.total >= 6);
    await quietPeriod();
    assert.deepEqual(tally.of('node2.example.com'), [0, 1, 2, 3, 4, 5]);
    assert.deepEqual(tally.of('node1.example.com'), []);
  });

  test('fanout reaches every server of the topic, and no other topic', async (t) => {
    const f = fixture(t, makeBus);
    const [client, s1, s2] = [await f.bus(), await f.bus(), await f.bus()];
    const topic = uniqueTopic('dhcp-agent');
    const tally = new Tally();
    const handlers = { refresh: async (args: { readonly [key: string]: unknown }, ctx: CallContext) => {
      assert.equal(ctx.kind, 'fanout');
      tally.record(`${ctx.topic}/${ctx.host}`, args.seq);
    } };
    await s1.serve(topic, 'node1', handlers);
    await s1.serve(topic, 'node2', handlers);
    await s2.serve(topic, 'node3', handlers);
    await s2.serve(`${topic}-other`, 'node1', handlers);
    await client.fanout(topic, 'refresh', { seq: 7 });
    await waitFor('3 fanout deliveries', () => tally.total >= 3);
    await quietPeriod();
    for (const host of ['node1', 'node2', 'node3']) assert.deepEqual(tally.of(`${topic}/${host}`), [7]);
    assert.equal(tally.total, 3);
  });
}
