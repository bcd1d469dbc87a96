import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../src/delivery/dispatcher.ts';
import { ComponentError, InvalidEventError, SinkError } from '../../src/errors.ts';
import type { CloudEvent } from '../../src/event.ts';
import { silentLogger } from '../../src/log.ts';
import type { Component } from '../../src/runtime/component.ts';
import type { Decoded, EventSink, Route } from '../../src/trigger.ts';

const events: CloudEvent[] = ['a', 'b', 'c', 'd'].map((id) => ({
  id,
  source: '/s',
  type: 'demo',
  specversion: '1.0',
  extensions: {},
}));

/** Fails (with `kind`) the calls whose event id is listed, `times` times each. */
function component(fails: Record<string, { kind: 'retry' | 'invalid'; times: number }> = {}): Component & {
  calls: string[];
} {
  const c = {
    id: 'c',
    worlds: new Set(['event'] as const),
    instances: 'reuse' as const,
    limits: { timeoutMs: 30_000, maxOutputBytes: 65_536 },
    calls: [] as string[],
    async handle(e: CloudEvent) {
      c.calls.push(e.id);
      const fail = fails[e.id];
      if (fail !== undefined && fail.times-- > 0) throw new ComponentError('c', fail.kind, 'no', { eventId: e.id });
      return [{ ...e, type: 'demo.out' }];
    },
    call: async () => undefined as never,
    close: async () => {},
  };
  return c;
}

/** Records each send; the first `failures` sends are refused. */
function sink(failures = 0): EventSink & { sends: string[][] } {
  let left = failures;
  return {
    uri: 'test://sink',
    sends: [],
    async send(batch) {
      if (left-- > 0) throw new SinkError('test://sink', 'down', { retriable: true });
      this.sends.push(batch.map((e) => e.id));
    },
    close: async () => {},
  };
}

function dispatcher(c: Component, route: Partial<Route>) {
  const d = new Dispatcher({ component: () => c, logger: silentLogger(), signal: new AbortController().signal });
  const full: Route = { componentId: 'c', retry: { attempts: 2, backoffMs: 1, maxDelayMs: 1 }, ...route };
  return (options?: { untilFailed?: boolean }) => d.dispatchAll(full, events, options);
}

describe('Dispatcher.dispatchAll', () => {
  it('invokes in order and sends every emitted event in one send', async () => {
    const s = sink();
    const c = component();
    const outcomes = await dispatcher(c, { sink: s })();
    expect(c.calls).toEqual(['a', 'b', 'c', 'd']);
    expect(s.sends).toEqual([['a', 'b', 'c', 'd']]);
    expect(outcomes.map((o) => o.kind)).toEqual(['emitted', 'emitted', 'emitted', 'emitted']);
  });

  it('sends the events before a failing component first, then retries it, keeping sink order', async () => {
    const s = sink();
    const c = component({ b: { kind: 'retry', times: 1 } });
    const outcomes = await dispatcher(c, { sink: s })();
    expect(s.sends).toEqual([['a'], ['b'], ['c', 'd']]);
    expect(outcomes.map((o) => o.kind)).toEqual(['emitted', 'emitted', 'emitted', 'emitted']);
  });

  it('on a refused batch, sends each event again on its own, in order, without invoking again', async () => {
    const s = sink(1);
    const c = component();
    const outcomes = await dispatcher(c, { sink: s })();
    expect(c.calls).toEqual(['a', 'b', 'c', 'd']);
    expect(s.sends).toEqual([['a'], ['b'], ['c'], ['d']]);
    expect(outcomes.map((o) => o.kind)).toEqual(['emitted', 'emitted', 'emitted', 'emitted']);
  });

  it('on a batch refused for good because of one event, dead-letters that one alone, with its own reason', async () => {
    // An HTTP sink answering 422 to `b`: it accepted `a` and never saw `c` and `d`.
    const refusing: EventSink & { sends: string[][] } = {
      uri: 'test://sink',
      sends: [],
      async send(batch) {
        for (const e of batch) {
          if (e.id === 'b') throw new SinkError('test://sink', `answered 422 to event ${e.id}`, { retriable: false });
          this.sends.push([e.id]);
        }
      },
      close: async () => {},
    };
    const dead = sink();
    const outcomes = await dispatcher(component(), { sink: refusing, deadLetter: dead })();
    expect(outcomes.map((o) => o.kind)).toEqual(['emitted', 'dead-lettered', 'emitted', 'emitted']);
    expect(dead.sends).toEqual([['b']]);
    const letter = outcomes[1];
    expect(letter?.kind === 'dead-lettered' && letter.error.message).toContain('answered 422 to event b');
    expect(refusing.sends.flat()).toEqual(['a', 'a', 'c', 'd']);
  });

  it('reports failed in place, and with untilFailed tries nothing after it', async () => {
    const fails = () => component({ b: { kind: 'invalid', times: 1 } });
    const all = await dispatcher(fails(), { sink: sink() })();
    expect(all.map((o) => o.kind)).toEqual(['emitted', 'failed', 'emitted', 'emitted']);
    const s = sink();
    const c = fails();
    const until = await dispatcher(c, { sink: s })({ untilFailed: true });
    expect(until.map((o) => o.kind)).toEqual(['emitted', 'failed']);
    expect(c.calls).toEqual(['a', 'b']);
    expect(s.sends).toEqual([['a']]);
  });

  it('keeps outcomes in place around filtered events', async () => {
    const s = sink();
    const outcomes = await dispatcher(component(), { sink: s, filter: { exact: { id: 'c' } } })();
    expect(outcomes.map((o) => o.kind)).toEqual(['filtered', 'filtered', 'emitted', 'filtered']);
    expect(s.sends).toEqual([['c']]);
  });
});

describe('Dispatcher.dispatchDecoded (the one decode-then-dispatch path)', () => {
  const [a, b, c, d] = events as [CloudEvent, CloudEvent, CloudEvent, CloudEvent];
  const undecodable = (raw: CloudEvent): Decoded => ({ ok: false, raw, error: new InvalidEventError('not an event') });
  const messages: Decoded[] = [{ ok: true, event: a }, undecodable(b), { ok: true, event: c }, { ok: true, event: d }];

  function run(c: Component, route: Partial<Route>, options?: { untilFailed?: boolean }) {
    const d = new Dispatcher({ component: () => c, logger: silentLogger(), signal: new AbortController().signal });
    const full: Route = { componentId: 'c', retry: { attempts: 2, backoffMs: 1, maxDelayMs: 1 }, ...route };
    return d.dispatchDecoded(full, messages, options);
  }

  it('dead-letters an undecodable message in its place, keeping order at the sinks', async () => {
    const s = sink();
    const dead = sink();
    const outcomes = await run(component(), { sink: s, deadLetter: dead });
    expect(outcomes.map((o) => o.kind)).toEqual(['emitted', 'dead-lettered', 'emitted', 'emitted']);
    expect(s.sends).toEqual([['a'], ['c', 'd']]);
    expect(dead.sends).toEqual([['b']]);
  });

  it('without a dead-letter sink, stops at the undecodable message with untilFailed', async () => {
    const s = sink();
    const outcomes = await run(component(), { sink: s }, { untilFailed: true });
    expect(outcomes.map((o) => o.kind)).toEqual(['emitted', 'failed']);
    expect(s.sends).toEqual([['a']]);
  });

  it('reports an unexpected throw as failed for the rest, never as a skipped message', async () => {
    // A bug outside delivery's error handling: here, the component cannot even be looked up.
    const lookup = () => {
      throw new Error('bug');
    };
    const d = new Dispatcher({ component: lookup, logger: silentLogger(), signal: new AbortController().signal });
    const route: Route = { componentId: 'c', retry: { attempts: 1, backoffMs: 1, maxDelayMs: 1 }, sink: sink() };
    const all = await d.dispatchDecoded(route, messages);
    expect(all.map((o) => o.kind)).toEqual(['failed', 'failed', 'failed', 'failed']);
    expect(all[0]?.kind === 'failed' && all[0].error.message).toBe('unexpected: bug');
    const until = await d.dispatchDecoded(route, messages, { untilFailed: true });
    expect(until.map((o) => o.kind)).toEqual(['failed']);
  });
});
