import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { selects } from '../../src/delivery/filter.ts';
import { parseCeOverrides } from '../../src/delivery/overrides.ts';
import { parseSinkUri } from '../../src/delivery/sink-uri.ts';
import { ComponentError, SinkError } from '../../src/errors.ts';
import type { CloudEvent } from '../../src/event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Component } from '../../src/runtime/component.ts';
import type { EventSink, Route } from '../../src/trigger.ts';

const event: CloudEvent = { id: 'e1', source: '/s', type: 'demo.created', specversion: '1.0', extensions: {} };

/** A component whose successive invocations do what `script` says. */
function scripted(script: ('ok' | 'retry' | 'invalid' | 'trap')[]): Component & { calls: number } {
  const component = {
    id: 'c',
    worlds: new Set(['event'] as const),
    instances: 'reuse' as const,
    limits: { timeoutMs: 30_000, maxOutputBytes: 65_536 },
    calls: 0,
    async handle(e: CloudEvent) {
      const step = script[component.calls++] ?? 'ok';
      if (step === 'ok') return [{ ...e, type: `${e.type}.out` }];
      throw new ComponentError('c', step, `${step} reason`, { eventId: e.id });
    },
    call: async () => undefined as never,
    close: async () => {},
  };
  return component;
}

function recordingSink(failures = 0, retriable = true): EventSink & { received: CloudEvent[] } {
  let left = failures;
  return {
    uri: 'test://sink',
    received: [],
    async send(events) {
      if (left-- > 0) throw new SinkError('test://sink', 'down', { retriable });
      this.received.push(...events);
    },
    close: async () => {},
  };
}

function setup(component: Component, route: Partial<Route> = {}) {
  const dispatcher = new Dispatcher({
    component: () => component,
    logger: silentLogger(),
    signal: new AbortController().signal,
    overrides: { extra: 'yes' },
  });
  const full: Route = { componentId: 'c', retry: { attempts: 3, backoffMs: 1, maxDelayMs: 2 }, ...route };
  return (e: CloudEvent) => dispatcher.dispatch(full, e);
}

describe('Dispatcher', () => {
  it('replies with the emitted events, K_CE_OVERRIDES applied, when the route has no sink', async () => {
    const outcome = await setup(scripted(['ok']))(event);
    expect(outcome).toEqual({
      kind: 'reply',
      events: [{ ...event, type: 'demo.created.out', extensions: { extra: 'yes' } }],
    });
  });

  it('retries a retry error and a trap with backoff, then succeeds', async () => {
    const component = scripted(['retry', 'trap', 'ok']);
    const sink = recordingSink();
    const outcome = await setup(component, { sink })(event);
    expect(outcome.kind).toBe('emitted');
    expect(component.calls).toBe(3);
    expect(sink.received.map((e) => e.type)).toEqual(['demo.created.out']);
  });

  it('dead-letters an invalid event at once, with the reason as extensions and the data intact', async () => {
    const component = scripted(['invalid']);
    const deadLetter = recordingSink();
    const outcome = await setup(component, { deadLetter })({ ...event, data: new Uint8Array([7]) });
    expect(outcome.kind).toBe('dead-lettered');
    expect(component.calls).toBe(1);
    expect(deadLetter.received[0]).toMatchObject({
      id: 'e1',
      type: 'demo.created',
      data: new Uint8Array([7]),
      extensions: { deadletterkind: 'invalid', deadletterattempts: '1', deadlettercomponent: 'c' },
    });
    expect(deadLetter.received[0]?.extensions.deadletterreason).toContain('invalid reason');
  });

  it('reports failed (so the broker keeps the message) when retries run out and there is no dead-letter sink', async () => {
    const component = scripted(['retry', 'retry', 'retry', 'ok']);
    const outcome = await setup(component)(event);
    expect(outcome.kind).toBe('failed');
    expect(component.calls).toBe(3);
  });

  it('retries a failing sink without invoking the component again', async () => {
    const component = scripted(['ok']);
    const sink = recordingSink(2);
    expect((await setup(component, { sink })(event)).kind).toBe('emitted');
    expect(component.calls).toBe(1);
    expect(sink.received).toHaveLength(1);
  });

  it('does not retry a sink that rejected the events as bad', async () => {
    const sink = recordingSink(1, false);
    const outcome = await setup(scripted(['ok']), { sink })(event);
    expect(outcome).toMatchObject({ kind: 'failed', error: { name: 'SinkError' } });
  });

  it('skips events the filter does not select', async () => {
    const component = scripted(['ok']);
    expect(await setup(component, { filter: { exact: { type: 'other' } } })(event)).toEqual({ kind: 'filtered' });
    expect(component.calls).toBe(0);
  });

  it('skips events the filters do not select, and needs filter and filters both to select', async () => {
    const component = scripted(['ok', 'ok']);
    const exactType = { exact: { type: 'demo.created' } };
    expect(await setup(component, { filters: [{ not: exactType }] })(event)).toEqual({ kind: 'filtered' });
    expect(await setup(component, { filter: { exact: { type: 'other' } }, filters: [exactType] })(event)).toEqual({
      kind: 'filtered',
    });
    expect(component.calls).toBe(0);
    expect((await setup(component, { filter: { prefix: { type: 'demo.' } }, filters: [exactType] })(event)).kind).toBe(
      'reply',
    );
    expect(component.calls).toBe(1);
  });

  it('stops waiting for a retry when the app shuts down, leaving the event with the broker', async () => {
    const abort = new AbortController();
    const deadLetter = recordingSink();
    const dispatcher = new Dispatcher({
      component: () => scripted(['retry']),
      logger: silentLogger(),
      signal: abort.signal,
    });
    const retry = { attempts: 5, backoffMs: 60_000, maxDelayMs: 60_000 };
    const pending = dispatcher.dispatch({ componentId: 'c', retry, deadLetter }, event);
    abort.abort();
    expect((await pending).kind).toBe('failed');
    expect(deadLetter.received).toEqual([]);
  });
});

describe('the partition key of emitted events', () => {
  /** A component that returns the given extensions (like examples/transform, which returns none). */
  function emitting(...outputs: Record<string, string>[]): Component {
    return {
      ...scripted([]),
      handle: async (e: CloudEvent) => outputs.map((extensions, i) => ({ ...e, id: `${e.id}-${i}`, extensions })),
    };
  }
  const dispatch = (component: Component, input: CloudEvent) =>
    new Dispatcher({ component: () => component, logger: silentLogger(), signal: new AbortController().signal })
      .dispatch({ componentId: 'c', retry: { attempts: 1, backoffMs: 1, maxDelayMs: 1 } }, input)
      .then((outcome) => (outcome.kind === 'reply' ? outcome.events.map((e) => e.extensions) : outcome));

  it("is the input's when the component names none, in either form", async () => {
    const keyed = { ...event, extensions: { partitionkey: 'order-7', region: 'eu' } };
    expect(await dispatch(emitting({}, { other: 'x' }), keyed)).toEqual([
      { partitionkey: 'order-7' },
      { other: 'x', partitionkey: 'order-7' },
    ]);
    const bytes = { ...event, extensions: { spindlekeybase64: '/wE=' } };
    expect(await dispatch(emitting({}), bytes)).toEqual([{ spindlekeybase64: '/wE=' }]);
  });

  it("is the component's when it sets one, and absent when the input had none", async () => {
    const keyed = { ...event, extensions: { partitionkey: 'order-7', spindlekeybase64: '/wE=' } };
    expect(await dispatch(emitting({ partitionkey: 'mine' }), keyed)).toEqual([{ partitionkey: 'mine' }]);
    expect(await dispatch(emitting({}), event)).toEqual([{}]);
  });
});

describe('filters (Knative Trigger semantics)', () => {
  const e: CloudEvent = { ...event, subject: 'orders/42', extensions: { region: 'eu-west' } };
  it.each([
    [{ exact: { type: 'demo.created' } }, true],
    [{ exact: { type: 'demo' } }, false],
    [{ prefix: { type: 'demo.' }, suffix: { subject: '/42' } }, true],
    [{ prefix: { region: 'eu-' } }, true],
    [{ exact: { missing: '' } }, false],
    [{}, true],
  ])('%j selects: %s', (filter, expected) => {
    expect(selects(filter, e)).toBe(expected);
  });
});

describe('K_CE_OVERRIDES', () => {
  it('reads the extensions', () => {
    expect(parseCeOverrides('{"extensions":{"extra":"test","n":1}}')).toEqual({ extra: 'test', n: '1' });
    expect(parseCeOverrides(undefined)).toBeUndefined();
  });
  it.each([
    ['{', /not valid JSON/],
    ['{"x":1}', /must be an object like/],
    ['{"extensions":{"Bad-Name":"x"}}', /'Bad-Name' must be lower-case/],
  ])('rejects %s', (json, reason) => {
    expect(() => parseCeOverrides(json)).toThrow(reason);
  });
});

describe('sink URIs', () => {
  it('reads a multi-host authority as its first host plus brokers parameters', () => {
    const url = parseSinkUri('kafka://user:pw@h1:9092,h2:9093,h3:9094/orders?mode=structured');
    expect(url?.host).toBe('h1:9092');
    expect(url?.username).toBe('user');
    expect(url?.pathname).toBe('/orders');
    expect(url?.searchParams.get('mode')).toBe('structured');
    expect(url?.searchParams.getAll('brokers')).toEqual(['h2:9093', 'h3:9094']);
  });
  it('leaves single-host URIs alone and refuses what is not a URI', () => {
    expect(parseSinkUri('http://127.0.0.1:8080/x')?.href).toBe('http://127.0.0.1:8080/x');
    expect(parseSinkUri('not a uri')).toBeUndefined();
    expect(parseSinkUri('kafka://h1:9092,h 2:x/t')).toBeUndefined();
  });
});
