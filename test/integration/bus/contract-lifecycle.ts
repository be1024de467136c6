// Contract: servers stop cleanly, queues keep casts for the next server, close() fails what
// is pending, failures are reported, and bad names are refused before anything is sent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusClosedError, BusMessageError, BusTimeoutError, InvalidArgumentError } from '../../../src/bus/index.js';
import type { BusArgs } from '../../../src/bus/index.js';
import { fixture, gate, quietPeriod, sleep, Tally, uniqueTopic, waitFor } from './contract-helpers.js';
import type { MakeBus } from './contract-helpers.js';

export function lifecycleContract(makeBus: MakeBus): void {
  test('stop() of a server ends its deliveries; the other server takes over', async (t) => {
    const f = fixture(t, makeBus);
    const [client, s1, s2] = [await f.bus(), await f.bus(), await f.bus()];
    const topic = uniqueTopic('l2-agent');
    const tally = new Tally();
    const handlers = { update: async (args: BusArgs, ctx: { readonly host: string }) => tally.record(ctx.host, args.seq) };
    const first = await s1.serve(topic, 'node1', handlers);
    await s2.serve(topic, 'node2', handlers);
    await first.stop();
    await first.stop(); // idempotent
    for (let seq = 0; seq < 10; seq++) await client.cast({ topic }, 'update', { seq });
    await client.fanout(topic, 'update', { seq: 100 });
    await waitFor('11 deliveries', () => tally.total >= 11);
    await quietPeriod();
    assert.deepEqual(tally.of('node1'), []);
    assert.equal(tally.of('node2').length, 11);
    await assert.rejects(client.call({ topic, host: 'node1' }, 'update', { seq: 0 }, { timeoutMs: 300 }), BusTimeoutError);
  });

  test('stop() waits for the handlers already running', async (t) => {
    const f = fixture(t, makeBus);
    const [client, serverBus] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('compute');
    const release = gate();
    let started = false;
    let finished = false;
    const server = await serverBus.serve(topic, 'node1', {
      slow: async () => {
        started = true;
        await release.opened;
        finished = true;
      },
    });
    await client.cast({ topic }, 'slow');
    await waitFor('the handler to start', () => started);
    let stopped = false;
    const stopping = server.stop().then(() => {
      stopped = true;
    });
    await sleep(100);
    assert.equal(stopped, false, 'stop() must not return while a handler runs');
    release.open();
    await stopping;
    assert.equal(finished, true);
  });

  test('a cast waits in the topic queue while no server runs; a stale call does not', async (t) => {
    const f = fixture(t, makeBus);
    const [client, serverBus] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('volume');
    const tally = new Tally();
    const handlers = {
      attach: async (args: BusArgs, ctx: { readonly host: string }) => tally.record(ctx.host, args.seq),
    };
    await (await serverBus.serve(topic, 'node1', handlers)).stop();
    for (let seq = 0; seq < 3; seq++) await client.cast({ topic }, 'attach', { seq });
    await assert.rejects(client.call({ topic }, 'attach', { seq: 99 }, { timeoutMs: 200 }), BusTimeoutError);
    await sleep(100); // past the call's time to live
    await serverBus.serve(topic, 'node2', handlers);
    await waitFor('3 queued casts', () => tally.total >= 3);
    await quietPeriod();
    assert.deepEqual(tally.of('node2'), [0, 1, 2]);
  });

  test('close() rejects pending calls with BusClosedError, and every later use', async (t) => {
    const f = fixture(t, makeBus);
    const [client, serverBus] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('conductor');
    const release = gate();
    t.after(() => release.open());
    let started = false;
    await serverBus.serve(topic, 'node1', {
      hang: async () => {
        started = true;
        await release.opened;
      },
    });
    const pending = client.call({ topic }, 'hang', {}, { timeoutMs: 10_000 });
    await waitFor('the handler to start', () => started);
    const outcome = assert.rejects(pending, BusClosedError); // handled before close() rejects it
    await client.close();
    await outcome;
    await client.close(); // idempotent
    await assert.rejects(client.call({ topic }, 'hang'), BusClosedError);
    await assert.rejects(client.cast({ topic }, 'hang'), BusClosedError);
    await assert.rejects(client.serve(topic, 'node9', {}), BusClosedError);
    await assert.rejects(client.notify('x.y', {}, { publisherId: 'test' }), BusClosedError);
  });

  test('a failing cast handler is reported and the server keeps serving', async (t) => {
    const f = fixture(t, makeBus);
    const [client, serverBus] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('l3-agent');
    let ok = 0;
    await serverBus.serve(topic, 'node1', {
      boom: async () => {
        throw new Error('router r1 is broken');
      },
      ok: async () => {
        ok += 1;
      },
    });
    await client.cast({ topic }, 'boom');
    await client.cast({ topic }, 'ok');
    await waitFor('the next cast', () => ok === 1);
    await waitFor('the error report', () => f.errors.length > 0);
    assert.match(String(f.errors[0]), /boom.*router r1 is broken/);
  });

  test('bad names and non-JSON arguments are refused before anything is sent', async (t) => {
    const f = fixture(t, makeBus);
    const bus = await f.bus();
    await assert.rejects(bus.call({ topic: 'compute.node1' }, 'm'), InvalidArgumentError);
    await assert.rejects(bus.call({ topic: 'compute', host: 'node*' }, 'm'), InvalidArgumentError);
    await assert.rejects(bus.cast({ topic: 'compute' }, 'not a method'), InvalidArgumentError);
    await assert.rejects(bus.fanout('#', 'm'), InvalidArgumentError);
    await assert.rejects(bus.serve('compute', 'node 1', {}), InvalidArgumentError);
    await assert.rejects(bus.notify('port..create', {}, { publisherId: 'p' }), InvalidArgumentError);
    await assert.rejects(bus.notify('port.create', {}, { publisherId: '' }), InvalidArgumentError);
    await assert.rejects(bus.subscribeNotifications('port.#', async () => undefined), InvalidArgumentError);
    await assert.rejects(bus.call({ topic: 'compute' }, 'm', {}, { timeoutMs: -1 }), InvalidArgumentError);
    await assert.rejects(bus.cast({ topic: 'compute' }, 'm', [1] as unknown as BusArgs), BusMessageError);
    await assert.rejects(bus.cast({ topic: 'compute' }, 'm', { n: 1n }), BusMessageError);
  });
}
