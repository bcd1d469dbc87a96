/**
 * The one rule for "the component may emit events but the route has no sink": a trigger
 * that does not reply refuses such a route at start-up, naming the table and the field;
 * K_SINK satisfies it; the CloudEvents target, which replies, needs no sink.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CloudEvent, RouteConfig, TriggerAdapter } from '../../src/adapter.ts';
import { parseRouteConfig } from '../../src/adapter.ts';
import { defineApp, ManifestError, type RunningApp, startApp, type TriggerDefinition } from '../../src/index.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { waitFor } from '../support/wait.ts';

let wasm: string;
const running: RunningApp[] = [];
const receivers: EventReceiver[] = [];

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
}, 300_000);
afterEach(async () => {
  for (const app of running.splice(0)) await app.stop();
  for (const receiver of receivers.splice(0)) await receiver.close();
});

const echo = (id: string): CloudEvent => ({
  id,
  source: '/no-sink',
  type: 'test.echo',
  specversion: '1.0',
  extensions: {},
});

/** A third-party trigger (it declares no `replies`): dispatches one echo event per table at start. */
const oneShot: TriggerAdapter<RouteConfig> = {
  type: 'oneshot',
  parseConfig: (table) => parseRouteConfig(table),
  async start(ctx, configs) {
    for (const config of configs) void ctx.dispatch(await ctx.route(config), echo('one-shot'));
    return { drain: async () => {}, close: async () => {} };
  },
};

async function start(trigger: Omit<TriggerDefinition, 'component'>, env: NodeJS.ProcessEnv = {}) {
  const app = await startApp(
    defineApp({
      name: 'no-sink',
      components: { echo: { source: wasm } },
      triggers: [{ component: 'echo', ...trigger } as TriggerDefinition],
    }),
    { listen: { host: '127.0.0.1', port: 0 }, env, adapters: [{ triggers: [oneShot] }] },
  );
  running.push(app);
  return app;
}

describe('a spindle:event component on a trigger that does not reply', () => {
  // The route is refused before any connection is made: no broker is needed to see it.
  it.each([
    ['redis', { type: 'redis', address: 'redis://127.0.0.1:1', stream: 's' }],
    ['amqp', { type: 'amqp', url: 'amqp://guest:guest@127.0.0.1:1/', queue: 'q' }],
    ['kafka', { type: 'kafka', brokers: ['127.0.0.1:1'], topic: 't', group: 'g' }],
    ['timer', { type: 'timer', interval_secs: 1 }],
    ['oneshot', { type: 'oneshot' }],
  ])('without sink nor K_SINK is refused at start-up (%s)', async (type, trigger) => {
    const failure = start(trigger);
    await expect(failure).rejects.toThrow(ManifestError);
    await expect(failure).rejects.toThrow(
      new RegExp(
        `\\[triggers\\[0\\]\\] sink: is required: component 'echo' implements spindle:event and may emit events, ` +
          `which a ${type} trigger cannot answer with; set sink = "<uri>" \\(or K_SINK\\)`,
      ),
    );
  });

  it('with K_SINK instead of a sink starts, and what it emits reaches K_SINK', async () => {
    const receiver = await startReceiver();
    receivers.push(receiver);
    await start({ type: 'oneshot' }, { K_SINK: receiver.url });
    await waitFor(() => receiver.events.some((e) => e.id === 'one-shot'), { what: 'the emitted event at K_SINK' });
  });
});

describe('a trigger that replies (cloudevents)', () => {
  it('needs no sink: the emitted event is the answer', async () => {
    const app = await start({ type: 'cloudevents' });
    const response = await fetch(app.url, {
      method: 'POST',
      headers: { 'ce-specversion': '1.0', 'ce-id': 'r1', 'ce-source': '/t', 'ce-type': 'test.echo' },
      body: 'hi',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('ce-id')).toBe('r1');
    expect(await response.text()).toBe('hi');
  });
});
