import { amqpUrl, describeWithBroker, uniqueName } from '../support/brokers.ts';
import { AmqpTestBroker } from './amqp-broker.ts';
import type { BrokerHarness } from './conformance/harness.ts';
import { conformanceSuite } from './conformance/suite.ts';

/**
 * The conformance suite on RabbitMQ. Each case gets a queue declared with a dead-letter
 * exchange bound to a holding queue: a message spindle cannot process (and has no
 * dead-letter sink for) is nacked there, and `kept` looks for it there.
 */
const harness: BrokerHarness = {
  name: 'amqp',
  durable: true,
  ordered: false,
  async create() {
    const broker = await AmqpTestBroker.connect();
    const queue = uniqueName('spindle-amqp');
    const dlx = await broker.exchange(`${queue}-dlx`, 'fanout');
    const held = await broker.queue(`${queue}-held`);
    await broker.channel.bindQueue(held, dlx, '');
    await broker.queue(queue, { deadLetterExchange: dlx });
    const sink = await broker.queue(`${queue}-sink`);
    const dead = await broker.queue(`${queue}-dead`);
    const [sinkMessages, deadMessages, heldMessages] = await Promise.all([
      broker.collect(sink),
      broker.collect(dead),
      broker.collect(held),
    ]);
    return {
      trigger: { type: 'amqp', fields: { url: amqpUrl(), queue, dead_letter_exchange: dlx } },
      sink: broker.sinkUri(sink),
      deadLetter: broker.sinkUri(dead),
      publish: (events) => broker.publish(queue, events),
      publishUndecodable: (payload) =>
        broker.publishRaw(queue, payload, { contentType: 'application/cloudevents+json', messageId: 'undecodable-1' }),
      sinkEvents: async () => sinkMessages.events(),
      deadLetters: async () => deadMessages.events(),
      kept: async (id) => heldMessages.events().some((e) => e.id === id),
      close: () => broker.close(),
    };
  },
};

describeWithBroker('amqp', 'amqp trigger and sink', () => conformanceSuite(harness));
