// The bus contract against RabbitMQ, plus what only AMQP can show: redelivery after a crash
// and a lost connection. Uses $NIMBUS_TEST_AMQP_URL, or starts a private node for this run
// (CI installs rabbitmq-server; without it these tests fail rather than skip).
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'amqplib';
import { BusConnectionError, createBus, InvalidArgumentError } from '../../../src/bus/index.js';
import type { Bus, BusOptions, CallContext } from '../../../src/bus/index.js';
import { runBusContract } from './bus-contract.js';
import { fixture, gate, uniqueTopic, waitFor } from './contract-helpers.js';
import { PrivateRabbitMq } from './rabbitmq-test-server.js';

describe('amqp bus', () => {
  let url = process.env.NIMBUS_TEST_AMQP_URL ?? '';
  let rabbit: PrivateRabbitMq | undefined;
  // A fresh exchange per run keeps a shared broker's other users out of the way.
  const exchange = `nimbus-test-${randomUUID().slice(0, 8)}`;

  before(async () => {
    if (url === '') {
      rabbit = new PrivateRabbitMq();
      url = await rabbit.start();
    }
  });
  after(async () => {
    await rabbit?.stop();
  });

  const makeBus = (options: BusOptions): Promise<Bus> => createBus({ driver: 'amqp', url, exchange, ...options });
  runBusContract('amqp', makeBus);

  test('an unreachable broker fails with BusConnectionError, without leaking the password; no url is refused', async () => {
    await assert.rejects(createBus({ driver: 'amqp', url: 'amqp://guest:s3cret@127.0.0.1:1' }), (error: unknown) => {
      assert.ok(error instanceof BusConnectionError);
      assert.match(error.message, /cannot connect to the AMQP broker at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:1/);
      assert.doesNotMatch(error.message, /s3cret/);
      return true;
    });
    await assert.rejects(createBus({ driver: 'amqp', url: '' }), InvalidArgumentError);
  });

  test('a message whose handler never finished is redelivered to another server', async (t) => {
    const f = fixture(t, makeBus);
    const [client, crashing, healthy] = [await f.bus(), await f.bus(), await f.bus()];
    const topic = uniqueTopic('compute');
    const never = gate();
    t.after(() => never.open());
    let started = false;
    await crashing.serve(topic, 'node1', {
      spawn: async () => {
        started = true;
        await never.opened;
      },
    });
    await client.cast({ topic }, 'spawn', { id: 'vm1' });
    await waitFor('the first attempt', () => started);
    await crashing.close(); // as if the process died: the message was never acknowledged
    let redelivery: CallContext | undefined;
    await healthy.serve(topic, 'node2', {
      spawn: async (_args, ctx) => {
        redelivery = ctx;
      },
    });
    await waitFor('the redelivery', () => redelivery !== undefined);
    assert.equal(redelivery?.redelivered, true);
    assert.equal(redelivery?.host, 'node2');
  });

  test('a lost publishing channel fails later operations with BusConnectionError and is reported', async (t) => {
    const ownExchange = `nimbus-test-${randomUUID().slice(0, 8)}`;
    const errors: unknown[] = [];
    const bus = await createBus({ driver: 'amqp', url, exchange: ownExchange, onError: (e) => errors.push(e) });
    t.after(() => bus.close());
    // Another client removes the exchange: the bus's next publish is refused by the broker.
    const admin = await connect(url);
    try {
      const channel = await admin.createChannel();
      await channel.deleteExchange(ownExchange);
    } finally {
      await admin.close();
    }
    await assert.rejects(bus.cast({ topic: 'compute' }, 'm'), BusConnectionError);
    await waitFor('the report', () => errors.length > 0);
    assert.ok(errors[0] instanceof BusConnectionError);
    await assert.rejects(bus.call({ topic: 'compute' }, 'm'), BusConnectionError);
  });

  test('a connection closed by the broker fails pending calls with BusConnectionError', async (t) => {
    if (rabbit === undefined) {
      t.skip('needs rabbitmqctl on the node: runs when the test starts its own RabbitMQ');
      return;
    }
    const f = fixture(t, makeBus);
    const [client, serverBus] = [await f.bus(), await f.bus()];
    const topic = uniqueTopic('compute');
    const never = gate();
    t.after(() => never.open());
    let started = false;
    await serverBus.serve(topic, 'node1', {
      hang: async () => {
        started = true;
        await never.opened;
      },
    });
    const pending = client.call({ topic }, 'hang', {}, { timeoutMs: 30_000 });
    await waitFor('the handler to start', () => started);
    const outcome = assert.rejects(pending, (error: unknown) => {
      assert.ok(error instanceof BusConnectionError);
      assert.match(error.message, /lost the connection to the AMQP broker at .*CONNECTION_FORCED/);
      return true;
    });
    await rabbit.ctl('close_all_connections', 'nimbus bus test');
    await outcome;
    await assert.rejects(client.cast({ topic }, 'hang'), BusConnectionError);
    await waitFor('reports from both buses', () => f.errors.some((e) => e instanceof BusConnectionError));
  });
});
