/**
 * Spin's Redis trigger, driven as a Spin user does: `spindle up` on a Spin v2 spin.toml
 * with `[application.trigger.redis] address` and two `[[trigger.redis]]` on one channel,
 * each with its own `fermyon:spin/inbound-redis` component (test/fixtures/redis).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildSpinRedisGuest } from '../fixtures/redis/build.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

interface LogRecord {
  level: string;
  msg: string;
  component?: string;
  payload?: string;
}

function records(spindle: SpindleProcess): LogRecord[] {
  return spindle
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogRecord);
}

describeWithBroker('redis', 'spin redis trigger (spindle up)', () => {
  const channel = uniqueName('messages');
  let spindle: SpindleProcess;
  let publisher: Redis;

  beforeAll(async () => {
    const wasm = await buildSpinRedisGuest();
    const dir = await mkdtemp(join(tmpdir(), 'spindle-redis-spin-'));
    await writeFile(
      join(dir, 'spin.toml'),
      `spin_manifest_version = 2

[application]
name = "redis-fan-out"

[application.trigger.redis]
address = "${redisUrl()}"

[[trigger.redis]]
channel = "${channel}"
component = "first"

[[trigger.redis]]
channel = "${channel}"
component = "second"

[component.first]
source = "${wasm}"
timeout_ms = 1000

[component.second]
source = "${wasm}"
timeout_ms = 1000
`,
    );
    spindle = await startSpindle(['-f', join(dir, 'spin.toml'), '--log-format', 'json']);
    publisher = new Redis(redisUrl());
  }, 300_000); // building the guest takes minutes on a loaded machine

  afterAll(async () => {
    publisher?.disconnect();
    await spindle?.stop();
  });

  it('shows one subscription for both components in the banner, and says pub/sub is at most once', () => {
    expect(spindle.output()).toContain(
      `redis channel ${channel} (pub/sub, at most once) -> first (Spin inbound-redis), second (Spin inbound-redis)`,
    );
  });

  it('gives every message on the channel to both components (fan-out)', async () => {
    expect(await publisher.publish(channel, 'hello fan-out')).toBe(1); // one subscription
    const printed = (component: string) =>
      records(spindle).some((r) => r.component === component && r.msg === 'spin-redis got: hello fan-out');
    await waitFor(() => printed('first') && printed('second'), { what: 'the payload printed by both components' });
  });

  it('logs an error returned by the component with the message', async () => {
    await publisher.publish(channel, 'fail');
    const failed = (component: string) =>
      records(spindle).some(
        (r) =>
          (r.level === 'error' || r.level === 'fatal') &&
          r.component === component &&
          r.payload === 'fail' &&
          r.msg.includes('error'),
      );
    await waitFor(() => failed('first') && failed('second'), { what: 'the error logged for both components' });
    // Spin's semantics: the error is logged, the trigger keeps serving.
    await publisher.publish(channel, 'after the error');
    await waitFor(() => records(spindle).filter((r) => r.msg === 'spin-redis got: after the error').length === 2, {
      what: 'the next message handled',
    });
  });

  it('stops a component that loops at timeout_ms, logs it naming the component, and handles the next message', async () => {
    await publisher.publish(channel, 'loop');
    const stopped = (component: string) =>
      records(spindle).some(
        (r) =>
          r.level === 'error' &&
          r.component === component &&
          r.payload === 'loop' &&
          r.msg.startsWith(`component ${component} trapped: exceeded its deadline of 1000 ms (timeout_ms)`),
      );
    await waitFor(() => stopped('first') && stopped('second'), { what: 'the deadline logged for both components' });
    await publisher.publish(channel, 'after the loop');
    await waitFor(() => records(spindle).filter((r) => r.msg === 'spin-redis got: after the loop').length === 2, {
      what: 'the next message handled',
    });
  });
});

describeWithBroker('redis', 'spin v1 redis app (spindle up)', () => {
  it('reads the address from the app trigger and the channel from [component.trigger]', async () => {
    const wasm = await buildSpinRedisGuest();
    const channel = uniqueName('v1-messages');
    const dir = await mkdtemp(join(tmpdir(), 'spindle-redis-spin-v1-'));
    await writeFile(
      join(dir, 'spin.toml'),
      `spin_manifest_version = "1"
name = "redis-v1"
version = "0.1.0"
trigger = { type = "redis", address = "${redisUrl()}" }

[[component]]
id = "echo"
source = "${wasm}"
[component.trigger]
channel = "${channel}"
`,
    );
    const spindle = await startSpindle(['-f', join(dir, 'spin.toml'), '--log-format', 'json']);
    const publisher = new Redis(redisUrl());
    try {
      expect(spindle.output()).toContain(
        `redis channel ${channel} (pub/sub, at most once) -> echo (Spin inbound-redis)`,
      );
      await publisher.publish(channel, 'hello v1');
      await waitFor(
        () => records(spindle).some((r) => r.component === 'echo' && r.msg === 'spin-redis got: hello v1'),
        {
          what: 'the payload printed by the v1 component',
        },
      );
    } finally {
      publisher.disconnect();
      await spindle.stop();
    }
  }, 60_000);
});
