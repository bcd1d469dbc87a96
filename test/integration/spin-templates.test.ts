/**
 * The manifests `spin new` writes (test/fixtures/spin-templates, verbatim) run as Spin
 * runs them: http-js and http-ts answer over the real listener with their template's
 * guest built where their `source` points; redis-js and redis-ts subscribe to their
 * channel on the real Redis and their guest handles what is published there.
 */
import { randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadApp, type RunningApp, type StartOptions, startApp } from '../../src/index.ts';
import { buildSpinRedisGuest } from '../fixtures/redis/build.ts';
import { brokerMissing, describeWithBroker, redisUrl } from '../support/brokers.ts';
import { capturingLogger } from '../support/capturing-logger.ts';
import { buildHttpGuest } from '../support/http-fixtures.ts';
import { manifestDir } from '../support/manifest-dir.ts';
import { waitFor } from '../support/wait.ts';

const TEMPLATES = join(import.meta.dirname, '../fixtures/spin-templates');
/** What the redis templates' manifests name, as `spin new` fills them in. */
const TEMPLATE_REDIS = { address: 'redis://127.0.0.1:6379', channel: 'messages' };

const running: RunningApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
});

/**
 * The project `spin new <template> hello-world` leaves, built: the template's spin.toml
 * unchanged, and `wasm` at the path its component's `source` names. Started listening.
 */
async function startTemplate(template: string, wasm: string, options: StartOptions = {}): Promise<RunningApp> {
  const manifest = await readFile(join(TEMPLATES, template, 'spin.toml'), 'utf8');
  const dir = await manifestDir({ 'spin.toml': manifest });
  const source = (await loadApp(dir, { checkSources: false })).components['hello-world']?.source;
  if (typeof source !== 'string') {
    throw new Error(`${template}'s spin.toml has no component hello-world with a file source`);
  }
  await mkdir(dirname(source), { recursive: true });
  await copyFile(wasm, source);
  const app = await startApp(await loadApp(dir), { listen: { host: '127.0.0.1', port: 0 }, ...options });
  running.push(app);
  return app;
}

describe("spin-js-sdk's http templates on the real listener", () => {
  const guests = { 'http-js': '', 'http-ts': '' };
  beforeAll(async () => {
    guests['http-js'] = await buildHttpGuest('http-js-template');
    guests['http-ts'] = await buildHttpGuest('http-ts-template');
  }, 300_000);

  it.each(['http-js', 'http-ts'] as const)(
    '%s: answers "Hello, Spin!" on every path of its /... route',
    async (template) => {
      const app = await startTemplate(template, guests[template]);
      for (const path of ['/', '/hello/ada']) {
        const response = await fetch(new URL(path, app.url));
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/plain');
        expect(await response.text()).toBe('Hello, Spin!');
      }
    },
  );
});

/**
 * The tests' Redis when it is not at the address the templates name (one from the
 * environment, or a container): their manifests, unchanged, cannot reach it.
 */
const elsewhere =
  brokerMissing('redis') === undefined && redisUrl() !== TEMPLATE_REDIS.address ? redisUrl() : undefined;
if (elsewhere !== undefined) {
  console.warn(
    `[spindle tests] SKIPPED the redis templates: they name ${TEMPLATE_REDIS.address}, the tests' Redis is ${elsewhere}`,
  );
}

describeWithBroker('redis', "spin-js-sdk's redis templates on the real Redis", () => {
  let wasm: string;
  beforeAll(async () => {
    wasm = await buildSpinRedisGuest();
  }, 300_000);

  it.skipIf(elsewhere !== undefined).each(['redis-js', 'redis-ts'])(
    '%s: its guest handles a message published on its channel',
    async (template) => {
      const { logger, records } = capturingLogger();
      await startTemplate(template, wasm, { logger });
      const publisher = new Redis(TEMPLATE_REDIS.address);
      try {
        // The channel is the template's own: another run's messages may arrive too, so each is unique.
        const payload = `hello from ${template} ${randomUUID()}`;
        expect(await publisher.publish(TEMPLATE_REDIS.channel, payload)).toBeGreaterThanOrEqual(1);
        await waitFor(
          () => records.some((r) => r.component === 'hello-world' && r.msg === `spin-redis got: ${payload}`),
          { what: `the guest of ${template} printing the message` },
        );
      } finally {
        publisher.disconnect();
      }
    },
  );
});
