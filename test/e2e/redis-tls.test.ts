import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { stringify } from 'smol-toml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEntry, encodeEntry } from '../../adapters/redis/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { buildExampleTransform, runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { startTlsRedis, type TlsRedis } from '../support/tls-redis.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** An app whose Redis stream trigger and sink both reach `redis` over TLS, the password from a variable. */
function appDir(redis: TlsRedis): string {
  const address = `rediss://:{{ redis_password }}@127.0.0.1:${redis.port}`;
  const dir = mkdtempSync(join(tmpdir(), 'spindle-redis-tls-'));
  const manifest = {
    spin_manifest_version: 2,
    application: { name: 'redis-tls' },
    variables: { suffix: { default: '.transformed' }, redis_password: { required: true, secret: true } },
    trigger: {
      redis: [{ address, stream: 'orders', component: 'transform', sink: `${address}?stream=transformed` }],
    },
    component: {
      transform: { source: join(ROOT, 'examples/transform/transform.wasm'), variables: { suffix: '{{ suffix }}' } },
    },
  };
  writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
  return dir;
}

const order: CloudEvent = {
  id: 'tls-1',
  source: '/shop',
  type: 'io.shop.order',
  specversion: '1.0',
  datacontenttype: 'application/json',
  extensions: {},
  data: new TextEncoder().encode(JSON.stringify({ n: 1 })),
};

describe('a Redis that speaks only TLS and wants a password', () => {
  let redis: TlsRedis;
  let client: Redis;
  let dir: string;

  beforeAll(async () => {
    await buildExampleTransform();
    redis = await startTlsRedis('s3cret-pass');
    client = redis.client();
    await client.connect();
    dir = appDir(redis);
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  it('is read and written over rediss://, the password coming from a variable', async () => {
    let spindle: SpindleProcess | undefined;
    try {
      // A private CA reaches Node's TLS the usual way: NODE_EXTRA_CA_CERTS.
      spindle = await startSpindle(['-f', dir], {
        env: { SPIN_VARIABLE_REDIS_PASSWORD: redis.password, NODE_EXTRA_CA_CERTS: redis.caFile },
      });
      await client.xadd('orders', '*', ...encodeEntry(order));
      let entries: [string, string[]][] = [];
      await waitFor(
        async () => {
          entries = await client.xrange('transformed', '-', '+');
          return entries.length > 0;
        },
        { what: 'the transformed event on the TLS stream' },
      );
      const [entryId, fields] = entries[0] as [string, string[]];
      const decoded = decodeEntry('transformed', entryId, fields);
      expect(decoded.ok && decoded.event).toMatchObject({ id: 'tls-1', type: 'io.shop.order.transformed' });
      expect(spindle.output()).not.toContain(redis.password);
    } finally {
      await spindle?.stop();
    }
  });

  it('refuses to start with a wrong password, naming the manifest, the trigger and the address without the password', async () => {
    const run = await runSpindle(['up', '-f', dir, '--listen', '127.0.0.1:0'], {
      env: { SPIN_VARIABLE_REDIS_PASSWORD: 'wrong-pass', NODE_EXTRA_CA_CERTS: redis.caFile },
    });
    expect(run.code).not.toBe(0);
    const output = run.stdout + run.stderr;
    expect(output).toMatch(/WRONGPASS|invalid username-password/);
    expect(output).toContain(`rediss://:***@127.0.0.1:${redis.port}`);
    expect(output).toContain(`${join(dir, 'spindle.toml')}: [trigger.redis[0]]`);
    expect(output).not.toContain('wrong-pass');
  });
});
