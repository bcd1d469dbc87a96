import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@bytecodealliance/jco';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guestCallRef, returnedErr } from '../../src/adapter.ts';
import type { ComponentConfig } from '../../src/app/model.ts';
import { ComponentError } from '../../src/errors.ts';
import type { CloudEvent } from '../../src/event.ts';
import type { Component } from '../../src/runtime/component.ts';
import { type LoadOptions, loadComponent } from '../../src/runtime/load.ts';
import { instantiateModule, type WasmModule } from '../../src/runtime/wasm.ts';
import { capturingLogger } from '../support/capturing-logger.ts';
import { componentConfig } from '../support/component-config.ts';
import { buildFixture } from '../support/fixtures.ts';
import type { returnsErrCall, tickCall } from '../support/guest-calls.ts';
import { loopingTimerGuest } from '../support/looping-timer.ts';

const TICK_CALL = guestCallRef<typeof tickCall>(import.meta.url, '../support/guest-calls', 'tickCall');
const RETURNS_ERR_CALL = guestCallRef<typeof returnsErrCall>(
  import.meta.url,
  '../support/guest-calls',
  'returnsErrCall',
);

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

function event(type: string, extra: Partial<CloudEvent> = {}): CloudEvent {
  return {
    id: `ev-${type}`,
    source: '/runtime-test',
    type,
    specversion: '1.0',
    datacontenttype: 'application/octet-stream',
    dataschema: 'https://example.com/schema',
    subject: 'a subject',
    time: '2026-11-21T10:00:00Z',
    extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', seq: '42' },
    data: new Uint8Array([0, 1, 0xfe, 0xff, 0x41]),
    ...extra,
  };
}

const cacheDir = mkdtempSync(join(tmpdir(), 'spindle-runtime-cache-'));
const variables: Record<string, string> = { suffix: '.transformed' };
const options = (extra: Partial<LoadOptions> = {}): LoadOptions => ({
  cacheDir,
  logger: capturingLogger('debug').logger,
  variables: (name) => variables[name],
  ...extra,
});

let wasm: string;
const loaded: Component[] = [];
async function load(cfg: ComponentConfig, opts: LoadOptions = options()): Promise<Component> {
  const component = await loadComponent(cfg, opts);
  loaded.push(component);
  return component;
}

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
}, 180_000);

afterAll(async () => {
  for (const component of loaded) await component.close();
});

describe('behaviours guest (spindle:event world)', () => {
  let component: Component;
  beforeAll(async () => {
    component = await load(componentConfig('behaviours', wasm, 'reuse'));
  }, 60_000);

  it('is detected as an event component', () => {
    expect([...component.worlds]).toEqual(['event']);
  });

  it('test.echo returns the event unchanged: attributes, extensions and data bytes', async () => {
    const input = event('test.echo');
    expect(await component.handle(input)).toEqual([input]);
  });

  it('test.none returns no event', async () => {
    expect(await component.handle(event('test.none'))).toEqual([]);
  });

  it('test.many returns two events with derived ids', async () => {
    const out = await component.handle(event('test.many', { id: 'm' }));
    expect(out.map((e) => e.id)).toEqual(['m-1', 'm-2']);
  });

  it('test.invalid rejects with an invalid ComponentError carrying the reason', async () => {
    const error = await component.handle(event('test.invalid', { id: 'inv' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentError);
    expect(error).toMatchObject({ failure: 'invalid', reason: 'reason text', eventId: 'inv', retriable: false });
  });

  it('test.retry rejects with a retriable ComponentError', async () => {
    const error = await component.handle(event('test.retry')).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'retry', retriable: true, componentId: 'behaviours' });
  });

  it('test.trap rejects with a trap, and the next event is still served', async () => {
    const error = await component.handle(event('test.trap', { id: 'boom' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentError);
    expect(error).toMatchObject({ failure: 'trap', eventId: 'boom', retriable: true });
    expect((error as Error).message).toContain('unreachable');
    const input = event('test.echo');
    expect(await component.handle(input)).toEqual([input]);
  });

  it('test.var returns the value of the variable named in the subject', async () => {
    const [out] = await component.handle(event('test.var', { subject: 'suffix' }));
    expect(text(out?.data)).toBe('.transformed');
  });

  it('an undefined variable reaches the guest as the undefined error', async () => {
    const error = await component.handle(event('test.var', { subject: 'missing' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'invalid' });
    expect((error as ComponentError).reason).toMatch(/^variable missing: undefined: /);
  });

  it('an invalid variable name reaches the guest as the invalid-name error', async () => {
    const error = await component.handle(event('test.var', { subject: 'Not-A-Name' })).catch((e: unknown) => e);
    expect((error as ComponentError).reason).toMatch(/^variable Not-A-Name: invalid-name: invalid variable name/);
  });

  it("the guest reads the host's wall clock and a monotonic clock", async () => {
    const before = Date.now();
    const [out] = await component.handle(event('test.clock'));
    const after = Date.now();
    const { wall, monotonic } = JSON.parse(text(out?.data) ?? '') as { wall: number; monotonic: [number, number] };
    expect(wall).toBeGreaterThanOrEqual(before);
    expect(wall).toBeLessThanOrEqual(after);
    expect(monotonic[0]).toBeGreaterThan(0);
    expect(monotonic[1]).toBeGreaterThanOrEqual(monotonic[0]);
  });

  it('an emitted event that breaks the spec is rejected as invalid and nothing is emitted', async () => {
    const error = await component.handle(event('test.malformed')).catch((e: unknown) => e);
    expect(error).toMatchObject({ failure: 'invalid' });
    expect((error as Error).message).toContain("'id' is required");
  });

  it('serves concurrent events', async () => {
    const inputs = Array.from({ length: 20 }, (_, i) => event('test.echo', { id: `c${i}` }));
    const outputs = await Promise.all(inputs.map((input) => component.handle(input)));
    expect(outputs).toEqual(inputs.map((input) => [input]));
  });
});

describe('instance modes, observed through test.count', () => {
  const counts = async (component: Component, n: number) => {
    const out: (string | undefined)[] = [];
    for (let i = 0; i < n; i++) out.push(text((await component.handle(event('test.count')))[0]?.data));
    return out;
  };

  it("'reuse' keeps module state between events", async () => {
    const component = await load(componentConfig('reused', wasm, 'reuse'));
    expect(component.instances).toBe('reuse');
    expect(await counts(component, 3)).toEqual(['1', '2', '3']);
  });

  it.each([0, 1])("'fresh' gives every event a clean instance, also after a trap (threads = %i)", async (threads) => {
    const component = await load(componentConfig(`fresh-${threads}`, wasm, 'fresh', { threads }));
    expect(await counts(component, 3)).toEqual(['1', '1', '1']);
    await expect(component.handle(event('test.trap'))).rejects.toMatchObject({ failure: 'trap' });
    expect(await counts(component, 2)).toEqual(['1', '1']);
    const burst = await Promise.all(Array.from({ length: 5 }, () => component.handle(event('test.count'))));
    expect(burst.map(([out]) => text(out?.data))).toEqual(['1', '1', '1', '1', '1']);
  });

  it("'reuse' serves a burst of concurrent events from one instance", async () => {
    const component = await load(componentConfig('burst', wasm, 'reuse'));
    const outputs = await Promise.all(Array.from({ length: 10 }, () => component.handle(event('test.count'))));
    expect(outputs.map(([out]) => Number(text(out?.data))).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
  });

  it('a trapped instance is discarded, never reused', async () => {
    const component = await load(componentConfig('trapped', wasm, 'reuse'));
    expect(await counts(component, 2)).toEqual(['1', '2']);
    await expect(component.handle(event('test.trap'))).rejects.toMatchObject({ failure: 'trap' });
    expect(await counts(component, 1)).toEqual(['1']);
  });

  it('the load option sets the default mode, the component config overrides it', async () => {
    const byOption = await load(componentConfig('by-option', wasm), options({ instances: 'fresh' }));
    expect(byOption.instances).toBe('fresh');
    const byConfig = await load(componentConfig('by-config', wasm, 'reuse'), options({ instances: 'fresh' }));
    expect(byConfig.instances).toBe('reuse');
  });
});

describe('worker threads and the per-event deadline', () => {
  it('stops a looping guest at its deadline with a trap, and serves the next event', async () => {
    const component = await load(componentConfig('looping', wasm, 'reuse', { timeoutMs: 500 }));
    const error = await component.handle(event('test.loop', { id: 'spin' })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentError);
    expect(error).toMatchObject({ failure: 'trap', eventId: 'spin', retriable: true });
    expect((error as Error).message).toBe(
      'component looping trapped on event spin: exceeded its deadline of 500 ms (timeout_ms)',
    );
    const input = event('test.echo');
    expect(await component.handle(input)).toEqual([input]);
  });

  it.each([1, 0])(
    'stops a guest that grows memory without bound at memory_limit_mb (threads = %i), and keeps serving',
    async (threads) => {
      const component = await load(
        componentConfig(`hoarding-${threads}`, wasm, 'reuse', { threads, memoryLimitMb: 128 }),
      );
      const error = await component.handle(event('test.oom', { id: 'hoard' })).catch((e: unknown) => e);
      expect(error).toMatchObject({ failure: 'trap', eventId: 'hoard', retriable: true });
      expect((error as Error).message).toMatch(
        /^component hoarding-\d trapped on event hoard: exceeded its memory limit of 128 MB \(memory_limit_mb\): it trapped holding \d+ MB: .*unreachable/,
      );
      const input = event('test.echo');
      expect(await component.handle(input)).toEqual([input]);
    },
  );

  it('serves events waiting behind a looping one on another worker, none lost', async () => {
    const component = await load(componentConfig('queued', wasm, 'reuse', { threads: 2, timeoutMs: 60_000 }));
    let loopSettled = false;
    const loop = component.handle(event('test.loop')).finally(() => {
      loopSettled = true;
    });
    loop.catch(() => {}); // settled by close() below
    // With one worker these would wait for the loop's 60 s deadline (and time the test out).
    const inputs = Array.from({ length: 6 }, (_, i) => event('test.echo', { id: `q${i}` }));
    expect(await Promise.all(inputs.map((input) => component.handle(input)))).toEqual(inputs.map((i) => [i]));
    expect(loopSettled).toBe(false);
    await component.close();
    await expect(loop).rejects.toMatchObject({ failure: 'trap' });
  });

  it('stops only the looping event of events that reached the worker together; the others are served', async () => {
    const component = await load(componentConfig('batched', wasm, 'reuse', { timeoutMs: 1000 }));
    // With one worker busy, the events after the first two wait and go over together.
    const types = ['test.echo', 'test.echo', 'test.echo', 'test.loop', 'test.echo', 'test.echo'];
    const results = await Promise.allSettled(types.map((type, i) => component.handle(event(type, { id: `b${i}` }))));
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect((results[3] as PromiseRejectedResult).reason).toMatchObject({
      failure: 'trap',
      eventId: 'b3',
      message: expect.stringContaining('exceeded its deadline of 1000 ms'),
    });
    const echoed = results.flatMap((result) => (result.status === 'fulfilled' ? result.value.map((e) => e.id) : []));
    expect(echoed).toEqual(['b0', 'b1', 'b2', 'b4', 'b5']);
  });

  it("spreads events over its workers, each with its own 'reuse' instance", async () => {
    const component = await load(componentConfig('spread', wasm, 'reuse', { threads: 2 }));
    const outputs = await Promise.all(Array.from({ length: 20 }, () => component.handle(event('test.count'))));
    const counts = outputs.map(([out]) => Number(text(out?.data))).sort((a, b) => a - b);
    // Two instances counting on their own: 1..a on one worker and 1..b on the other.
    const b = Math.max(...counts);
    const a = 20 - b;
    const run = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
    expect(a).toBeGreaterThan(0);
    expect(counts).toEqual([...run(a), ...run(b)].sort((x, y) => x - y));
  });

  it('threads = 0 runs the handler on the main thread', async () => {
    const component = await load(componentConfig('in-thread', wasm, 'reuse', { threads: 0 }));
    const [out] = await component.handle(event('test.var', { subject: 'suffix' }));
    expect(text(out?.data)).toBe('.transformed');
    await expect(component.handle(event('test.trap'))).rejects.toMatchObject({ failure: 'trap' });
  });
});

describe('guest output', () => {
  it('stdout and stderr lines reach the log tagged with the component id', async () => {
    const { logger, records } = capturingLogger('debug');
    const component = await load(componentConfig('logger', wasm), options({ logger }));
    await component.handle(event('test.log', { id: 'log-1' }));
    expect(records).toContainEqual(
      expect.objectContaining({ component: 'logger', stream: 'stdout', msg: 'stdout line from log-1' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ component: 'logger', stream: 'stderr', msg: 'stderr line from log-1' }),
    );
  });
});

describe('loading', () => {
  it('serves a second load from the transpile cache without running jco', async () => {
    const ownCache = mkdtempSync(join(tmpdir(), 'spindle-runtime-cache-'));
    const first = capturingLogger('debug');
    await load(componentConfig('cached', wasm), options({ cacheDir: ownCache, logger: first.logger }));
    expect(first.records).toContainEqual(expect.objectContaining({ component: 'cached', cache: 'miss' }));

    const second = capturingLogger('debug');
    const component = await load(
      componentConfig('cached', wasm),
      options({
        cacheDir: ownCache,
        logger: second.logger,
        transpile: () => Promise.reject(new Error('transpile must not run on a cache hit')),
      }),
    );
    expect(second.records).toContainEqual(expect.objectContaining({ component: 'cached', cache: 'hit' }));
    const input = event('test.echo');
    expect(await component.handle(input)).toEqual([input]);
  }, 60_000);

  it('rejects a file that is not wasm, naming the component and the file', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'spindle-bad-')), 'not-wasm.wasm');
    writeFileSync(file, 'print("hello")\n');
    await expect(load(componentConfig('bad', file))).rejects.toThrow(
      `component bad (${file}): not a WebAssembly component or module`,
    );
  });

  it('rejects a missing file, naming it', async () => {
    await expect(load(componentConfig('gone', '/nonexistent/x.wasm'))).rejects.toThrow(
      'component gone (/nonexistent/x.wasm): cannot read the file',
    );
  });

  it('rejects a component of an unknown world, listing its exports', async () => {
    const file = await watFile(
      'hello.wasm',
      `(component
        (core module $m (func (export "run")))
        (core instance $i (instantiate $m))
        (func $f (canon lift (core func $i "run")))
        (export "hello" (func $f)))`,
    );
    const error = await load(componentConfig('odd', file)).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(new RegExp(`^component odd \\(${file}\\): exports no world`));
    expect((error as Error).message).toContain('exports found: hello');
  });

  it.each([1, 0])('detects the timer world and runs a guest call against it (threads = %i)', async (threads) => {
    const file = await watFile(
      'timer.wasm',
      `(component
        (core module $m (func (export "run")))
        (core instance $i (instantiate $m))
        (func $f (canon lift (core func $i "run")))
        (export "handle-timer-request" (func $f)))`,
    );
    const component = await load(componentConfig(`tick-${threads}`, file, undefined, { threads }));
    expect([...component.worlds]).toEqual(['timer']);
    await expect(component.call(TICK_CALL, { label: 'tick' })).resolves.toBe('tick: ran');
    const error = await component.call(RETURNS_ERR_CALL, null).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ComponentError);
    expect((error as Error).message).toBe(`component tick-${threads} trapped: the guest returned an error`);
    expect(returnedErr(error)).toEqual({ payload: { tag: 'other', val: 'nope' } });
    await expect(component.handle(event('test.echo'))).rejects.toThrow('does not export spindle:event/handler');
  });

  it('stops a timer guest that loops at timeout_ms, on its worker, and serves the next call', async () => {
    const file = await loopingTimerGuest();
    const component = await load(componentConfig('looper', file, 'reuse', { timeoutMs: 300 }));
    await expect(component.call(TICK_CALL, { label: 'first' })).resolves.toBe('first: ran');
    await expect(component.call(TICK_CALL, { label: 'second' })).rejects.toThrow(
      'component looper trapped: exceeded its deadline of 300 ms (timeout_ms)',
    );
    await expect(component.call(TICK_CALL, { label: 'third' })).resolves.toBe('third: ran');
  });

  it('loads a WASI command module as wagi and exposes the compiled module', async () => {
    const file = await watFile('wagi.wasm', '(module (memory (export "memory") 1) (func (export "_start")))');
    const component = await load(componentConfig('cgi', file));
    expect([...component.worlds]).toEqual(['wagi']);
    expect(component.coreModule).toBeDefined();
    await expect(component.handle(event('test.echo'))).rejects.toThrow('Wagi module');
  });

  it("caps a wagi module's memory at memory_limit_mb", async () => {
    const file = await watFile('wagi.wasm', '(module (memory (export "memory") 1) (func (export "_start")))');
    const component = await load(componentConfig('capped-cgi', file, undefined, { memoryLimitMb: 1 }));
    const instance = await instantiateModule(component.coreModule as WasmModule);
    const memory = instance.exports.memory as { grow(pages: number): number };
    expect(memory.grow(15)).toBe(1);
    expect(() => memory.grow(1)).toThrow(RangeError);
  });

  it('rejects a core module without _start', async () => {
    const file = await watFile('lib.wasm', '(module (func (export "add")))');
    await expect(load(componentConfig('lib', file))).rejects.toThrow(
      'without _start is not a Wagi command; exports found: add',
    );
  });
});

async function watFile(name: string, wat: string): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'spindle-wat-')), name);
  writeFileSync(file, await parse(wat));
  return file;
}
