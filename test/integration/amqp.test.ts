import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'smol-toml';
import { beforeAll, expect, it } from 'vitest';
import { encode } from '../../adapters/amqp/codec.ts';
import { loadApp } from '../../src/app/load.ts';
import { startApp } from '../../src/engine.ts';
import { amqpUrl, describeWithBroker, uniqueName } from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { sampleValue, scrape } from '../support/prometheus-text.ts';
import { type SpindleProcess, startSpindleApp } from '../support/spindle-process.ts';
import { freePort, startTlsFront, type TlsFront } from '../support/tls.ts';
import { waitFor } from '../support/wait.ts';
import { AmqpTestBroker } from './amqp-broker.ts';
import { event } from './conformance/suite.ts';

let wasm: string;
const cleanups = cleanupAfterEach();

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
});

async function testBroker(): Promise<AmqpTestBroker> {
  const broker = await AmqpTestBroker.connect();
  cleanups.push(() => broker.close());
  return broker;
}

/**
 * Where a table's emitted events go when the test names no sink: spindle requires one,
 * and such tests send nothing the component emits (an HTTP sink connects only to send).
 */
const UNUSED_SINK = 'http://127.0.0.1:9/unused';

/** An app directory whose manifest has these `[[trigger.amqp]]` tables (component: behaviours). */
function appDir(triggers: Record<string, unknown>[], top: { application?: object; variables?: object } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-amqp-'));
  const manifest = {
    spin_manifest_version: 2,
    application: { name: 'amqp-test', ...top.application },
    ...(top.variables ? { variables: top.variables } : {}),
    trigger: { amqp: triggers.map((t) => ({ component: 'behaviours', sink: UNUSED_SINK, ...t })) },
    component: { behaviours: { source: wasm } },
  };
  writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
  return dir;
}

const spindle = (dir: string): Promise<SpindleProcess> => startSpindleApp(dir, cleanups);

/** What `spindle up` says when the app cannot start. */
async function startError(dir: string): Promise<string> {
  const app = await loadApp(dir);
  const started = startApp(app, { listen: { host: '127.0.0.1', port: 0 } });
  const error = await started.then(
    async (running) => {
      await running.stop();
      return new Error('the app started');
    },
    (e: unknown) => e as Error,
  );
  return error.message;
}

/** RabbitMQ here listens without TLS: a TLS front before it makes a real amqps:// endpoint. */
async function tlsFront(): Promise<TlsFront> {
  const plain = new URL(amqpUrl());
  const front = await startTlsFront({ host: plain.hostname, port: Number(plain.port || 5672) });
  cleanups.push(() => front.close());
  return front;
}

/** The amqp:// `uri` as amqps:// through `front`. */
function viaFront(front: TlsFront, uri: string): string {
  const url = new URL(uri);
  url.protocol = 'amqps:';
  url.hostname = '127.0.0.1';
  url.port = String(front.port);
  return url.href;
}

/** Close, from the broker's side, every connection whose client name contains `marker`. */
function closeConnections(marker: string): number {
  const listing = execFileSync(
    'rabbitmqctl',
    ['-q', 'list_connections', '--no-table-headers', 'pid', 'client_properties'],
    {
      encoding: 'utf8',
    },
  );
  const pids = listing
    .split('\n')
    .filter((line) => line.includes(marker))
    .map((line) => line.split('\t')[0] ?? '');
  for (const pid of pids) execFileSync('rabbitmqctl', ['-q', 'close_connection', pid, 'spindle reconnect test']);
  return pids.length;
}

const ids = (events: { id: string }[]) => new Set(events.map((e) => e.id));

describeWithBroker('amqp', 'amqp trigger configuration', () => {
  it('names the field when url is missing', async () => {
    expect(await startError(appDir([{ queue: uniqueName() }]))).toMatch(
      /spindle\.toml: \[trigger\.amqp\[0\]\] url: is required/,
    );
  });

  it.each([
    ['an http url', { url: 'http://127.0.0.1:5672' }, /url: expected amqp:\/\/ or amqps:\/\/, got http:/],
    ['exchange_type without exchange', { exchange_type: 'topic' }, /exchange_type: needs exchange/],
    ['an unknown exchange type', { exchange: 'x', exchange_type: 'fan' }, /exchange_type: expected one of direct/],
    ['a direct exchange without binding key', { exchange: 'x', exchange_type: 'direct' }, /binding_key: is required/],
    ['prefetch 0', { prefetch: 0 }, /prefetch: must be at least 1/],
    ['durable with declare = false', { declare: false, durable: true }, /durable: has no effect with declare = false/],
    ['tls on amqp://', { tls: { reject_unauthorized: false } }, /tls: needs an amqps:\/\/ url/],
    ['a typo', { queues: 'q' }, /unknown field 'queues'/],
  ])('names the field for %s', async (_, fields, reason) => {
    expect(await startError(appDir([{ url: amqpUrl(), queue: uniqueName(), ...fields }]))).toMatch(reason);
  });

  it('says which url it cannot reach, without the password', async () => {
    const url = `amqp://guest:secret-password@127.0.0.1:${await freePort()}`;
    const message = await startError(appDir([{ url, queue: uniqueName() }]));
    expect(message).toMatch(/url: cannot connect to amqp:\/\/guest:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(message).not.toContain('secret-password');
  });

  it('reports a refused login, taking the password from a variable', async () => {
    const url = new URL(amqpUrl());
    // [application.trigger.amqp] url, shared by every amqp trigger; the password from a variable.
    const dir = appDir([{ queue: uniqueName(), password: 'wrong-{{ pw }}' }], {
      application: { trigger: { amqp: { url: `${url.protocol}//${url.username}@${url.host}${url.pathname}` } } },
      variables: { pw: { default: 'x' } },
    });
    const message = await startError(dir);
    expect(message).toMatch(/url: cannot connect to .*ACCESS_REFUSED/);
    expect(message).not.toContain('wrong-x');
  });

  it('refuses a dead_letter_exchange that does not exist (nacked messages would be dropped)', async () => {
    const missing = uniqueName('no-such-exchange');
    const message = await startError(appDir([{ url: amqpUrl(), queue: uniqueName(), dead_letter_exchange: missing }]));
    expect(message).toMatch(new RegExp(`dead_letter_exchange: exchange '${missing}' must exist.*NOT_FOUND`));
  });

  it('consumes a queue its owner declared with a dead-letter exchange, as it is', async () => {
    const broker = await testBroker();
    const dlx = await broker.exchange(uniqueName('dlx'));
    const queue = await broker.queue(undefined, { deadLetterExchange: dlx });
    const out = await broker.queue();
    const collected = await broker.collect(out);
    await spindle(appDir([{ url: amqpUrl(), queue, sink: broker.sinkUri(out) }]));
    await broker.publish(queue, [event('owned-1')]);
    await waitFor(() => collected.events().length >= 1, { what: 'the event from the pre-declared queue' });
    expect([...ids(collected.events())]).toEqual(['owned-1']);
  });

  it('with declare = true, fails on a queue with other arguments, naming the argument', async () => {
    const broker = await testBroker();
    const dlx = await broker.exchange(uniqueName('dlx'));
    const queue = await broker.queue(undefined, { deadLetterExchange: dlx });
    const message = await startError(appDir([{ url: amqpUrl(), queue, declare: true }]));
    expect(message).toContain(
      `queue: cannot declare queue '${queue}' (it exists with other arguments: leave declare unset to use it as it is, ` +
        `or make durable and dead_letter_exchange match): argument x-dead-letter-exchange differs: spindle declares none, queue '${queue}' has '${dlx}'`,
    );
  });

  it('uses an exchange that exists with another type as it is; with declare = true, names the type', async () => {
    const broker = await testBroker();
    const exchange = await broker.exchange(uniqueName('events'), 'fanout');
    const queue = await broker.queue();
    const out = await broker.queue();
    const collected = await broker.collect(out);
    // exchange_type defaults to topic: declaring it would clash with the fanout exchange.
    await spindle(appDir([{ url: amqpUrl(), queue, exchange, sink: broker.sinkUri(out) }]));
    const { content, options } = encode(event('fanned-1'), { mode: 'binary' });
    broker.channel.publish(exchange, 'any.key', content, options);
    await broker.channel.waitForConfirms();
    await waitFor(() => collected.events().length >= 1, { what: 'the event through the existing exchange' });
    expect([...ids(collected.events())]).toEqual(['fanned-1']);
    const message = await startError(appDir([{ url: amqpUrl(), queue, exchange, declare: true }]));
    expect(message).toContain(`argument type differs: spindle declares 'topic', exchange '${exchange}' has 'fanout'`);
  });

  it('with declare = false, uses the queue as it is, and requires it', async () => {
    const broker = await testBroker();
    const dlx = await broker.exchange(uniqueName('dlx'));
    const queue = await broker.queue(undefined, { deadLetterExchange: dlx });
    const missing = await startError(appDir([{ url: amqpUrl(), queue: uniqueName(), declare: false }]));
    expect(missing).toMatch(/queue: queue '.*' must exist with declare = false: NOT_FOUND/);
    const process = await spindle(appDir([{ url: amqpUrl(), queue, declare: false, dead_letter_exchange: dlx }]));
    expect(process.output()).toContain(`amqp queue ${queue} -> behaviours`);
  });

  it('refuses a sink URI with an unknown parameter', async () => {
    const sink = `${amqpUrl()}?routingkey=out`;
    const message = await startError(appDir([{ url: amqpUrl(), queue: uniqueName(), sink }]));
    expect(message).toMatch(/unknown parameter 'routingkey'/);
  });

  it('declares an exchange and binds the queue: events published to it are transformed', async () => {
    const broker = await testBroker();
    const exchange = uniqueName('events');
    const queue = uniqueName();
    const out = await broker.queue();
    const collected = await broker.collect(out);
    const dir = appDir([
      { url: amqpUrl(), queue, exchange, binding_key: 'test.*', durable: false, sink: broker.sinkUri(out) },
    ]);
    cleanups.push(async () => {
      await broker.channel.deleteQueue(queue);
      await broker.channel.deleteExchange(exchange);
    });
    await spindle(dir);
    for (const e of [event('bound-1'), event('unbound-1', 'other.echo')]) {
      const { content, options } = encode(e, { mode: 'binary' });
      broker.channel.publish(exchange, e.type, content, options);
    }
    await broker.channel.waitForConfirms();
    await waitFor(() => collected.events().length >= 1, { what: 'the bound event at the sink' });
    expect([...ids(collected.events())]).toEqual(['bound-1']);
  });
});

describeWithBroker('amqp', 'amqp trigger delivery', () => {
  it('reconnects when the broker closes its connections, and loses nothing in flight', async () => {
    const broker = await testBroker();
    const queue = await broker.queue();
    const out = await broker.queue();
    const sink = await broker.collect(out);
    const process = await spindle(appDir([{ url: amqpUrl(), queue, sink: broker.sinkUri(out), prefetch: 8 }]));
    const sent = Array.from({ length: 300 }, (_, i) => event(`reconnect-${i}`));
    await broker.publish(queue, sent);
    await waitFor(() => sink.events().length >= 20, { what: 'the first events' });
    expect(closeConnections(queue)).toBeGreaterThanOrEqual(1);
    expect(closeConnections(out)).toBe(1);
    await waitFor(() => ids(sink.events()).size >= sent.length, { what: 'every event after reconnecting' });
    await waitFor(() => process.output().includes('amqp reconnected'), { what: 'the reconnect in the log' });
    // And it keeps consuming on the new connection.
    await broker.publish(queue, [event('after-reconnect')]);
    await waitFor(() => ids(sink.events()).has('after-reconnect'), { what: 'an event published after' });
    expect(process.output()).toContain('amqp connection lost, reconnecting');
  });

  it('consumes and publishes over amqps://, trusting the CA named in the manifest and in the sink URI', async () => {
    const broker = await testBroker();
    const front = await tlsFront();
    const overTls = (uri: string) => viaFront(front, uri);
    const ca = front.certificate.certFile;
    const queue = await broker.queue();
    const out = await broker.queue();
    const collected = await broker.collect(out);
    await spindle(
      appDir([{ url: overTls(amqpUrl()), tls: { ca }, queue, sink: overTls(broker.sinkUri(out, { ca })) }]),
    );
    await broker.publish(queue, [event('tls-1')]);
    await waitFor(() => collected.events().length >= 1, { what: 'the event through amqps:// at the sink' });
    expect([...ids(collected.events())]).toEqual(['tls-1']);
  });

  it('refuses an amqps:// broker whose certificate it has no CA for, naming the field', async () => {
    const front = await tlsFront();
    const message = await startError(appDir([{ url: viaFront(front, amqpUrl()), queue: uniqueName() }]));
    expect(message).toMatch(
      /\[trigger\.amqp\[0\]\] url: cannot connect to amqps:\/\/guest:\*\*\*@127\.0\.0\.1:\d+: .*self[- ]signed/,
    );
  });

  it('publishes to an exchange, routed by the event type, in structured mode when asked', async () => {
    const broker = await testBroker();
    const exchange = await broker.exchange(uniqueName('out'), 'topic');
    const out = await broker.queue();
    await broker.channel.bindQueue(out, exchange, 'test.#');
    const collected = await broker.collect(out);
    const queue = await broker.queue();
    const sink = new URL(amqpUrl());
    sink.searchParams.set('exchange', exchange);
    sink.searchParams.set('mode', 'structured');
    await spindle(appDir([{ url: amqpUrl(), queue, sink: sink.href }]));
    const sent = event('structured-1');
    await broker.publish(queue, [sent]);
    await waitFor(() => collected.messages.length >= 1, { what: 'the event at the exchange' });
    const [message] = collected.messages;
    expect(message?.fields.routingKey).toBe('test.echo');
    expect(message?.properties.contentType).toMatch(/^application\/cloudevents\+json/);
    // The JSON event format carries JSON data as a value: equal as JSON, not byte for byte.
    const [received] = collected.events();
    expect({ ...received, data: undefined }).toEqual({ ...sent, data: undefined });
    const json = (data: Uint8Array | undefined) => JSON.parse(Buffer.from(data ?? []).toString());
    expect(json(received?.data)).toEqual(json(sent.data));
  });

  it('dead-letters an event no queue receives instead of letting the broker drop it', async () => {
    const broker = await testBroker();
    const queue = await broker.queue();
    const dead = await broker.queue();
    const letters = await broker.collect(dead);
    const sink = broker.sinkUri(uniqueName('no-such-queue'));
    await spindle(appDir([{ url: amqpUrl(), queue, sink, dead_letter: broker.sinkUri(dead), retry: { attempts: 2 } }]));
    await broker.publish(queue, [event('unroutable-1')]);
    await waitFor(() => letters.events().length >= 1, { what: 'the dead letter' });
    expect(letters.events()[0]?.extensions).toMatchObject({ deadletterkind: 'sink' });
    expect(letters.events()[0]?.extensions.deadletterreason).toMatch(/returned as unroutable: no queue 'no-such-queue/);
  });

  it('nacks a message it cannot process to the dead-letter exchange it declared', async () => {
    const broker = await testBroker();
    const dlx = await broker.exchange(uniqueName('dlx'));
    const held = await broker.queue();
    await broker.channel.bindQueue(held, dlx, '');
    const collected = await broker.collect(held);
    const queue = uniqueName();
    cleanups.push(() => broker.channel.deleteQueue(queue));
    await spindle(
      appDir([{ url: amqpUrl(), queue, dead_letter_exchange: dlx, retry: { attempts: 2, backoff_ms: 10 } }]),
    );
    await broker.publish(queue, [event('bad-1', 'test.invalid')]);
    await waitFor(() => collected.messages.length >= 1, { what: 'the message at the dead-letter exchange' });
    expect([...ids(collected.events())]).toEqual(['bad-1']);
    expect(collected.messages[0]?.properties.headers?.['x-death']).toMatchObject([{ reason: 'rejected', queue }]);
  });

  it('without any dead-letter destination, requeues a failed message instead of dropping it', async () => {
    const broker = await testBroker();
    const queue = await broker.queue();
    const process = await spindle(
      appDir([{ url: amqpUrl(), queue, retry: { attempts: 1, backoff_ms: 10, max_delay_ms: 50 } }]),
    );
    await broker.publish(queue, [event('poison-1', 'test.invalid')]);
    const requeues = () => process.output().split('requeued so that it is not lost').length - 1;
    await waitFor(() => requeues() >= 2, { what: 'the message requeued, and delivered again' });
    expect(await process.stop('SIGTERM')).toBe(0);
    expect(await broker.depth(queue)).toBe(1);
  });

  it('stops gracefully: whatever reached the sink was acked, the rest stays queued', async () => {
    const broker = await testBroker();
    const queue = await broker.queue();
    const out = await broker.queue();
    const sink = await broker.collect(out);
    const dir = appDir([{ url: amqpUrl(), queue, sink: broker.sinkUri(out) }]);
    const first = await spindle(dir);
    const sent = Array.from({ length: 500 }, (_, i) => event(`drain-${i}`));
    await broker.publish(queue, sent);
    await waitFor(() => sink.events().length >= 20, { what: 'the first events' });
    expect(await first.stop('SIGTERM')).toBe(0);
    const delivered = sink.events().length;
    expect(ids(sink.events()).size).toBe(delivered);
    await waitFor(async () => (await broker.depth(queue)) === sent.length - delivered, {
      what: 'the undelivered rest back in the queue',
    });
    await spindle(dir);
    await waitFor(() => ids(sink.events()).size >= sent.length, { what: 'the rest after a restart' });
    expect(sink.events().length).toBe(sent.length);
  });
});

describeWithBroker('amqp', 'amqp trigger consumer lag', () => {
  it('is the messages ready in the queue plus those in flight, and falls to 0 once acked', async () => {
    const broker = await testBroker();
    const queue = await broker.queue();
    const sink = await startReceiver();
    cleanups.push(() => sink.close());
    const release = sink.hold(); // nothing can be acknowledged while the sink holds the events
    const running = await spindle(appDir([{ url: amqpUrl(), queue, prefetch: 2, sink: sink.url }]));
    const lag = async () =>
      sampleValue(await scrape(new URL('/metrics', running.url)), 'spindle_consumer_lag', {
        trigger: 'amqp[0]',
        destination: queue,
      });
    await broker.publish(
      queue,
      ['a', 'b', 'c', 'd', 'e'].map((id) => event(id)),
    );
    await waitFor(() => sink.waiting > 0, { what: 'the first events held at the sink' });
    await waitFor(async () => (await lag()) === 5, { what: 'a lag of 5: 2 in flight (prefetch), 3 ready' });
    release();
    await waitFor(async () => (await lag()) === 0, { what: 'a lag of 0 once every message was acked' });
    expect(sink.events).toHaveLength(5);
  });
});
