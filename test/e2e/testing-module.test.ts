/**
 * `spindle/testing` as a user's integration test uses it: SpindleContainer on the image
 * built from the Dockerfile, with ports mapped (testcontainers' default). Under podman,
 * the slirp4netns network mode forwards the mapped port on 127.0.0.1 of this machine
 * (TESTCONTAINERS_HOST_OVERRIDE); nothing here addresses a container's own address.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SpindleContainer, type StartedSpindleContainer } from '../../src/testing/index.ts';
import { describeIfAvailable } from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import {
  buildSpindleImage,
  CONTAINER_TEST_TIMEOUT_MS,
  IMAGE_BUILD_TIMEOUT_MS,
  podmanDockerHost,
  podmanMissing,
  SPINDLE_IMAGE,
} from '../support/podman.ts';
import { buildExampleTransform } from '../support/spindle-process.ts';

const missing = await podmanMissing();

describeIfAvailable(missing ? [missing] : [], 'no podman', 'spindle/testing: SpindleContainer (podman)', () => {
  const cleanups = cleanupAfterEach();
  let stopService: (() => Promise<void>) | undefined;
  let transformWasm: string;
  const dirs: string[] = [];

  beforeAll(async () => {
    const service = await podmanDockerHost();
    stopService = service.stop;
    Object.assign(process.env, {
      DOCKER_HOST: service.dockerHost,
      // Ryuk's image cannot be pulled here; each test stops its own container.
      TESTCONTAINERS_RYUK_DISABLED: 'true',
      TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1',
    });
    [transformWasm] = await Promise.all([buildExampleTransform(), buildSpindleImage()]);
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
    await stopService?.();
  });

  async function start(container: SpindleContainer, networkMode = 'slirp4netns'): Promise<StartedSpindleContainer> {
    const started = await container.withNetworkMode(networkMode).start();
    cleanups.push(() => started.stop({ timeout: 0 }));
    return started;
  }

  it(
    "serves the image's example target on the mapped port; sendEvent returns the transformed event",
    async () => {
      const spindle = await start(new SpindleContainer(SPINDLE_IMAGE));
      expect(spindle.getUrl()).toBe(`http://127.0.0.1:${spindle.getMappedPort(8080)}/`);
      expect((await fetch(spindle.getHealthUrl())).status).toBe(200);

      const reply = await spindle.sendEvent({
        id: 'tc-1',
        type: 'io.triggermesh.demo',
        data: { name: 'testcontainers' },
      });
      expect(reply.status).toBe(200);
      expect(reply.events).toEqual([
        {
          specversion: '1.0',
          id: 'tc-1',
          source: 'spin-app',
          type: 'io.triggermesh.demo.transformed',
          datacontenttype: 'application/json',
          data: { name: 'testcontainers', hello: 'wasm' },
        },
      ]);
    },
    CONTAINER_TEST_TIMEOUT_MS,
  );

  it(
    'serves a component of the test with its variables, copied in for the non-root user',
    async () => {
      const spindle = await start(
        new SpindleContainer(SPINDLE_IMAGE).withComponent(transformWasm).withVariable('suffix', '.from-test'),
      );
      const reply = await spindle.sendEvent({ type: 'order', data: { n: 1 } });
      expect(reply.status).toBe(200);
      expect(reply.events[0]).toMatchObject({ type: 'order.from-test', data: { n: 1, hello: 'wasm' } });
      expect((await spindle.exec(['id', '-un'])).output.trim()).toBe('node');

      // Bad input gets the component's reason, not a stack trace.
      const invalid = await spindle.sendEvent({ type: 'order', datacontenttype: 'application/json', data: 'not json' });
      expect(invalid.status).toBe(400);
      expect(invalid.body).toContain('data must be a JSON object');
    },
    CONTAINER_TEST_TIMEOUT_MS,
  );

  it(
    'serves an app directory (its own routes and manifest), its component added with withComponent',
    async () => {
      // A directory only its owner may read, as mkdtemp makes it: the copy must still be readable.
      const dir = await mkdtemp(join(tmpdir(), 'spindle-testing-app-'));
      dirs.push(dir);
      await chmod(dir, 0o700);
      await writeFile(
        join(dir, 'spindle.toml'),
        [
          '[application]',
          'name = "orders"',
          '[variables]',
          'suffix = { default = ".orders" }',
          '[[trigger.cloudevents]]',
          'route = "/orders"',
          'component = "transform"',
          '[component.transform]',
          `source = "transform.wasm"`,
          '[component.transform.variables]',
          'suffix = "{{ suffix }}"',
          '',
        ].join('\n'),
        { mode: 0o600 },
      );
      const spindle = await start(new SpindleContainer(SPINDLE_IMAGE).withApp(dir).withComponent(transformWasm));
      const reply = await spindle.sendEvent({ type: 'order', data: { n: 2 } }, '/orders');
      expect(reply.status).toBe(200);
      expect(reply.events[0]).toMatchObject({ type: 'order.orders', data: { n: 2, hello: 'wasm' } });
      expect((await spindle.sendEvent({ type: 'order', data: {} }, '/elsewhere')).status).toBe(404);
    },
    CONTAINER_TEST_TIMEOUT_MS,
  );

  it(
    'sends what the component emits to the sink of withSink (K_SINK): a sink that refuses is a 502 naming it',
    async () => {
      // The container's own loopback, where nothing listens: the test stays on 127.0.0.1
      // (reaching this machine's receiver from slirp4netns would take a 10.0.2.x address).
      const sink = 'http://127.0.0.1:9/events';
      const spindle = await start(new SpindleContainer(SPINDLE_IMAGE).withSink(sink));
      const reply = await spindle.sendEvent({ id: 'tc-sink', type: 'order', data: { n: 3 } });
      expect(reply.status).toBe(502);
      expect(reply.body).toContain(sink);
    },
    CONTAINER_TEST_TIMEOUT_MS,
  );
});
