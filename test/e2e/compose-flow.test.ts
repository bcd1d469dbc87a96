/**
 * compose.yaml run here as far as images allow: its spindle service, built from the
 * Dockerfile by podman-compose, serving the flow's app (examples/compose) against the
 * machine's brokers over host networking. The services whose images cannot be had here
 * are said, with why, and stood in for by what the tests already use: the machine's
 * Redis and RabbitMQ, the Kafka mock cluster, and an HTTP receiver for the display.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  amqpUrl,
  describeIfAvailable,
  describeWithBroker,
  kafkaBrokers,
  redisUrl,
  uniqueName,
} from '../support/brokers.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import {
  buildSpindleImage,
  CONTAINER_TEST_TIMEOUT_MS,
  IMAGE_BUILD_TIMEOUT_MS,
  podman,
  podmanMissing,
} from '../support/podman.ts';
import { type ComposeProject, composeProject, podmanComposeMissing } from '../support/podman-compose.ts';
import { freePort } from '../support/tls.ts';
import { waitFor } from '../support/wait.ts';

/** Answers 200 once every trigger is connected: what to wait for before publishing. */
const READY = '/.well-known/spindle/ready';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: unknown;
}
const { services } = parse(readFileSync(join(ROOT, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> };

const missing = (await Promise.all([podmanMissing(), podmanComposeMissing()])).filter((m) => m !== undefined);

describeIfAvailable(missing, 'no podman-compose', 'compose.yaml with podman-compose', () => {
  describeWithBroker(['redis', 'kafka', 'amqp'], 'against the machine’s brokers', () => {
    let receiver: EventReceiver;
    let project: ComposeProject | undefined;
    let url: URL;
    const redis = new Redis(redisUrl());

    beforeAll(async () => {
      await sayWhatCannotRun();
      // The layers the image tests build are the ones compose builds: built once.
      await buildSpindleImage();
      receiver = await startReceiver();
      const port = await freePort();
      url = new URL(`http://127.0.0.1:${port}/`);
      const { ports: _ports, depends_on: _dependsOn, ...spindle } = services.spindle as Service;
      project = await composeProject(uniqueName('spindle_compose').replaceAll('-', '_'), {
        services: {
          spindle: {
            ...spindle,
            build: ROOT,
            // The brokers listen on the machine's loopback; so does the port the test reaches.
            network_mode: 'host',
            environment: {
              ...spindle.environment,
              PORT: String(port),
              SPIN_HTTP_LISTEN_ADDR: '127.0.0.1',
              SPIN_VARIABLE_REDIS: redisUrl(),
              SPIN_VARIABLE_KAFKA: kafkaBrokers()[0] ?? '',
              SPIN_VARIABLE_RABBITMQ: amqpUrl(),
              SPIN_VARIABLE_DISPLAY: receiver.url,
            },
            volumes: (spindle.volumes ?? []).map((volume) => {
              const [host = '', ...inside] = volume.split(':');
              return [resolve(ROOT, host), ...inside].join(':');
            }),
          },
        },
      });
      await project.up();
      await waitFor(async () => (await fetch(new URL(READY, url)).catch(() => undefined))?.ok === true, {
        what: `the compose spindle's ready route on ${url.href}`,
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(async (error: Error) => {
        throw new Error(`${error.message}\n${await project?.logs('spindle')}`);
      });
    }, IMAGE_BUILD_TIMEOUT_MS);

    afterAll(async () => {
      redis.disconnect();
      await receiver?.close();
      await project?.down();
    });

    it(
      "takes the README's order from the Redis stream through Kafka and RabbitMQ to the display, and an HTTP event straight to it",
      async () => {
        const order = `compose-${randomUUID()}`;
        const direct = `compose-${randomUUID()}`;
        // The README's command, with an id of this test's.
        const event = {
          specversion: '1.0',
          id: order,
          source: '/compose',
          type: 'order',
          datacontenttype: 'application/json',
          data: { n: 1 },
        };
        await redis.xadd('orders', '*', 'event', JSON.stringify(event));
        const reply = await fetch(url, {
          method: 'POST',
          headers: {
            'ce-specversion': '1.0',
            'ce-id': direct,
            'ce-source': '/compose',
            'ce-type': 'order',
            'content-type': 'application/json',
          },
          body: JSON.stringify({ n: 2 }),
        });
        expect(reply.status, await reply.text()).toBeLessThan(300);

        const arrived = (id: string) => receiver.events.find((e) => e.id === id);
        await waitFor(() => arrived(order) !== undefined && arrived(direct) !== undefined, {
          what: `events ${order} and ${direct} at the display`,
          timeoutMs: 120_000,
          intervalMs: 200,
        }).catch(async (error: Error) => {
          throw new Error(`${error.message}\n${(await project?.logs('spindle'))?.slice(-4000)}`);
        });
        // Transformed once per hop: Redis -> Kafka -> RabbitMQ -> display, and HTTP -> display.
        expect(arrived(order)?.type).toBe('order.transformed.transformed.transformed');
        expect(arrived(direct)?.type).toBe('order.transformed');
      },
      CONTAINER_TEST_TIMEOUT_MS,
    );
  });
});

/** A line per service of compose.yaml: what runs here, and what stands in for the rest, and why. */
async function sayWhatCannotRun(): Promise<void> {
  const standIns: Record<string, string> = {
    redis: "the machine's Redis",
    kafka: 'the Kafka mock cluster',
    rabbitmq: "the machine's RabbitMQ",
    'event-display': "the test's HTTP receiver",
  };
  for (const [name, service] of Object.entries(services)) {
    if (service.image === undefined) {
      console.info(`compose service ${name}: built from the Dockerfile by podman-compose`);
    } else if ((await podman(['image', 'exists', service.image])).code === 0) {
      console.info(`compose service ${name}: image ${service.image} is here, but stood in for like the others`);
    } else {
      console.info(
        `compose service ${name} cannot run: its image ${service.image} is not on this machine and no image registry is reachable; ${standIns[name]} stands in`,
      );
    }
  }
}
