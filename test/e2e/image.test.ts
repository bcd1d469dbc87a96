/**
 * The image users run, built from the Dockerfile and run with podman as a user would run
 * it with Docker. The test reaches containers on 127.0.0.1 only: slirp4netns port
 * forwarding (which listens on the machine itself), or host networking for the broker
 * flow, whose container reaches the machine's Redis and RabbitMQ on loopback.
 */
import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { amqpUrl, describeIfAvailable, describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import {
  buildSpindleImage,
  CONTAINER_TEST_TIMEOUT_MS,
  IMAGE_BUILD_TIMEOUT_MS,
  podman,
  podmanMissing,
  podmanOk,
  SPINDLE_IMAGE,
} from '../support/podman.ts';
import { freePort } from '../support/tls.ts';
import { waitFor } from '../support/wait.ts';

const missing = await podmanMissing();
const HEALTH = '/.well-known/spin/health';

describeIfAvailable(missing ? [missing] : [], 'no podman', 'the spindle image (podman)', () => {
  const cleanups = cleanupAfterEach();
  const dirs: string[] = [];
  beforeAll(() => buildSpindleImage(), IMAGE_BUILD_TIMEOUT_MS);
  afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

  /** `podman run -d` a container removed after the test; its name. */
  async function runDetached(args: string[], command: string[] = []): Promise<string> {
    const name = uniqueName('spindle-image');
    cleanups.push(() => podman(['rm', '--force', '--time', '0', name]));
    await podmanOk(['run', '--detach', '--name', name, ...args, SPINDLE_IMAGE, ...command]);
    return name;
  }

  /** A directory any container user may read, holding `files`. */
  async function appDir(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'spindle-image-app-'));
    dirs.push(dir);
    await chmod(dir, 0o755);
    for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content, { mode: 0o644 });
    return dir;
  }

  /**
   * The image's own HEALTHCHECK passes: podman runs it on demand where no systemd
   * schedules it (and has been seen to answer 125 once, so it is polled, not run once).
   */
  async function healthCheckPasses(name: string): Promise<void> {
    let last = '';
    const what = () => `podman healthcheck run ${name} to pass (last: ${last})`;
    await waitFor(
      async () => {
        const result = await podman(['healthcheck', 'run', name]);
        last = `exit ${result.code}: ${result.stdout}${result.stderr}`.trim();
        return result.code === 0;
      },
      { what: 'the health check', timeoutMs: 30_000, intervalMs: 500 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}: ${what()}`);
    });
  }

  async function logs(name: string): Promise<string> {
    const result = await podman(['logs', name]);
    return result.stdout + result.stderr;
  }

  it(
    'is configured as spindle up on $PORT (8080) as uid 1000 (node), with a health check on the health route',
    async () => {
      const [config] = JSON.parse(await podmanOk(['image', 'inspect', SPINDLE_IMAGE])) as {
        Config: { User: string; Entrypoint: string[]; Env: string[] };
        Healthcheck?: { Test: string[] };
      }[];
      expect(config?.Config.User).toBe('1000:1000');
      expect(config?.Config.Entrypoint).toEqual(['spindle']);
      expect(config?.Config.Env).toEqual(expect.arrayContaining(['PORT=8080', 'SPIN_HTTP_LISTEN_ADDR=0.0.0.0']));
      expect(config?.Healthcheck?.Test.join(' ')).toContain(HEALTH);
      // What npm pack packs, with production dependencies only: no test runner, no compiler.
      const listed = await podmanOk([
        'run',
        '--rm',
        '--entrypoint',
        'ls',
        SPINDLE_IMAGE,
        '/opt/spindle',
        '/opt/spindle/node_modules',
      ]);
      expect(listed).toContain('dist');
      expect(listed).not.toMatch(/^(vitest|@biomejs|testcontainers|src|test)$/m);
    },
    CONTAINER_TEST_TIMEOUT_MS,
  );

  it(
    'run alone, serves the example target on 127.0.0.1:<mapped port>, as a non-root user, and turns healthy',
    async () => {
      const started = Date.now();
      const name = await runDetached(['--network', 'slirp4netns', '--publish', '127.0.0.1::8080']);
      const port = Number((await podmanOk(['port', name, '8080/tcp'])).split(':').pop());
      const base = `http://127.0.0.1:${port}`;
      await waitFor(async () => (await fetch(`${base}${HEALTH}`)).ok, {
        what: `the container's health route on ${base}`,
        timeoutMs: 60_000,
        intervalMs: 100,
      });
      console.info(`[spindle tests] image: start to healthy in ${Date.now() - started} ms`);
      expect(await logs(name)).toContain('Serving http://0.0.0.0:8080/ (app transform-demo)');

      await healthCheckPasses(name);
      expect(await podmanOk(['inspect', name, '--format', '{{.State.Health.Status}}'])).toBe('healthy');
      expect(await podmanOk(['top', name, 'user', 'args'])).toMatch(/^node\s+.*spindle.* up /m);
      expect(await podmanOk(['exec', name, 'id', '-u'])).toBe('1000');

      const reply = await fetch(`${base}/`, {
        method: 'POST',
        headers: {
          'ce-specversion': '1.0',
          'ce-id': 'image-1',
          'ce-source': '/image-test',
          'ce-type': 'io.triggermesh.demo',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'spindle' }),
      });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('ce-type')).toBe('io.triggermesh.demo.transformed');
      expect(reply.headers.get('ce-source')).toBe('spin-app');
      expect(await reply.json()).toEqual({ name: 'spindle', hello: 'wasm' });
    },
    CONTAINER_TEST_TIMEOUT_MS,
  );

  it(
    'exits non-zero on a bad manifest, with the one-line error in its log',
    async () => {
      const dir = await appDir({ 'spindle.toml': '[application]\nname = "bad"\nbogus = 1\n' });
      const result = await podman([
        'run',
        '--rm',
        '--no-healthcheck',
        '--volume',
        `${dir}:/app/bad:ro`,
        SPINDLE_IMAGE,
        'up',
        '-f',
        'bad',
      ]);
      expect(result.code).toBe(1);
      const errors = (result.stdout + result.stderr).split('\n').filter((line) => line.startsWith('Error: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(/^Error: \/app\/bad\/spindle\.toml: \[application\] bogus: unknown field 'bogus'/);
    },
    CONTAINER_TEST_TIMEOUT_MS,
  );

  describeWithBroker(['redis', 'amqp'], 'with host networking, against the machine’s brokers', () => {
    const COUNT = 500;

    it(
      'runs a RabbitMQ -> Redis stream flow; SIGTERM stops it gracefully and nothing in flight is lost',
      async () => {
        const queue = uniqueName('image-queue');
        const stream = uniqueName('image-stream');
        const port = await freePort();
        const dir = await appDir({
          'spindle.toml': [
            '[application]',
            'name = "image-flow"',
            '[[trigger.amqp]]',
            `url = "${amqpUrl()}"`,
            `queue = "${queue}"`,
            'prefetch = 32',
            'component = "transform"',
            `sink = "${redisUrl()}?stream=${stream}"`,
            '[component.transform]',
            'source = "/app/examples/transform/transform.wasm"',
            '[component.transform.variables]',
            'suffix = ".image"',
            '',
          ].join('\n'),
        });

        const connection = await amqp.connect(amqpUrl());
        const redis = new Redis(redisUrl());
        cleanups.push(async () => {
          redis.disconnect();
          await connection.close();
        });
        const channel = await connection.createConfirmChannel();
        await channel.assertQueue(queue, { durable: true });
        cleanups.push(() => channel.deleteQueue(queue).catch(() => undefined));
        cleanups.push(() => redis.del(stream));
        const ids = Array.from({ length: COUNT }, (_, n) => `${n}-${randomUUID()}`);
        for (const id of ids) {
          channel.sendToQueue(queue, Buffer.from(JSON.stringify({ n: id })), {
            contentType: 'application/json',
            headers: { specversion: '1.0', id, source: '/image-test', type: 'order' },
            persistent: true,
          });
        }
        await channel.waitForConfirms();

        const env = ['--env', `PORT=${port}`, '--env', 'SPIN_HTTP_LISTEN_ADDR=127.0.0.1'];
        const name = await runDetached(
          ['--network', 'host', '--volume', `${dir}:/app/flow:ro`, ...env],
          ['up', '-f', 'flow', '--log-format', 'json'],
        );
        // Stop it while events flow: as soon as the first reach the sink.
        await waitFor(async () => (await redis.xlen(stream)) > 0, {
          what: `the first events in the stream ${stream}`,
          timeoutMs: 60_000,
        });
        await healthCheckPasses(name); // on $PORT, not 8080
        await podmanOk(['stop', '--time', '60', name], 90_000);
        expect(await podmanOk(['inspect', name, '--format', '{{.State.ExitCode}}'])).toBe('0');
        expect(await logs(name)).toContain('stopping: finishing events in flight');

        // What was not acknowledged is still in the queue; started again, spindle takes it.
        await podmanOk(['start', name]);
        const seen = async (): Promise<Set<string>> => {
          const entries = await redis.xrange(stream, '-', '+');
          return new Set(entries.map(([, fields]) => (JSON.parse(fields[1] ?? '{}') as { id: string }).id));
        };
        await waitFor(async () => (await seen()).size === COUNT, {
          what: `all ${COUNT} events in the stream ${stream}`,
          timeoutMs: 120_000,
          intervalMs: 200,
        });
        expect([...(await seen())].sort()).toEqual([...ids].sort());
        const [[, fields] = ['', []]] = await redis.xrange(stream, '-', '+', 'COUNT', 1);
        const event = JSON.parse(fields[1] ?? '{}') as { type: string; data: unknown };
        expect(event.type).toBe('order.image');
        expect(event.data).toMatchObject({ hello: 'wasm' });
      },
      CONTAINER_TEST_TIMEOUT_MS,
    );
  });
});
