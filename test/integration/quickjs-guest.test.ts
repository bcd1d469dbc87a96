/**
 * Guests built with `--engine quickjs` (componentize-qjs), run by spindle's runtime: the
 * example transform gives what its StarlingMonkey build gives, errors included; the
 * prelude's TextEncoder, TextDecoder and console behave as the web platform's (Node's
 * are the reference here); fresh instances share no state though their core instance is
 * reused (core-recycler.ts). test/e2e/guest-contract.test.ts runs the whole guest
 * contract against both engines.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstanceMode } from '../../src/app/model.ts';
import { componentize, type JsEngine } from '../../src/build/componentize.ts';
import { ComponentError } from '../../src/errors.ts';
import type { CloudEvent } from '../../src/event.ts';
import { type Logger, silentLogger } from '../../src/log.ts';
import type { Component } from '../../src/runtime/component.ts';
import { loadComponent } from '../../src/runtime/load.ts';
import { capturingLogger } from '../support/capturing-logger.ts';
import { componentConfig } from '../support/component-config.ts';
import { buildFixture, WIZER_CACHE } from '../support/fixtures.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cache = join(root, 'node_modules', '.cache', 'spindle-fixtures');
const jcoCache = mkdtempSync(join(tmpdir(), 'spindle-quickjs-'));

const loaded: Component[] = [];
async function load(
  source: string,
  { instances = 'reuse', logger = silentLogger() }: { instances?: InstanceMode; logger?: Logger } = {},
): Promise<Component> {
  const component = await loadComponent(componentConfig('guest', source, instances), {
    cacheDir: jcoCache,
    logger,
    variables: (name) => (name === 'suffix' ? '.transformed' : undefined),
  });
  loaded.push(component);
  return component;
}

afterAll(async () => {
  await Promise.all(loaded.map((component) => component.close()));
});

function event(type: string, data?: Uint8Array): CloudEvent {
  return {
    id: 'q1',
    source: '/quickjs',
    type,
    specversion: '1.0',
    datacontenttype: 'application/json',
    extensions: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    ...(data === undefined ? {} : { data }),
  };
}

/** The events emitted, or the failure's kind and reason. */
async function outcome(component: Component, input: CloudEvent) {
  try {
    return { events: await component.handle(input) };
  } catch (error) {
    if (!(error instanceof ComponentError)) throw error;
    return { failure: error.failure, reason: error.reason };
  }
}

const utf8 = (text: string) => new TextEncoder().encode(text);

describe('the example transform built with QuickJS', () => {
  const builds = {} as Record<JsEngine, Component>;
  beforeAll(async () => {
    const source = join(root, 'examples', 'transform', 'transform.ts');
    // Up-to-date checks: the StarlingMonkey build is example-transform.test.ts's.
    const [starlingmonkey, quickjs] = await Promise.all([
      componentize({ source, out: join(cache, 'example-transform.wasm'), cacheDir: WIZER_CACHE }),
      componentize({ source, out: join(cache, 'example-transform-quickjs.wasm'), engine: 'quickjs' }),
    ]);
    builds.starlingmonkey = await load(starlingmonkey.out);
    builds.quickjs = await load(quickjs.out);
  }, 180_000);

  it.each<[string, Uint8Array]>([
    ['an object', utf8('{"greeting":"hi","n":[1,2.5,-0,1e21]}')],
    ['text beyond ASCII', utf8('{"é":"日本 😀","\\u2028":"\\u0000"}')],
    ['a leading byte order mark', utf8('\ufeff{"bom":true}')],
    [
      'bytes that are not UTF-8 inside a string',
      new Uint8Array([
        0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x22, 0x7d,
      ]),
    ],
    ['100 kB of data', utf8(JSON.stringify({ big: 'ü€'.repeat(25_000) }))],
  ])('transforms %s as the StarlingMonkey build does', async (_, data) => {
    const input = event('io.triggermesh.demo', data);
    const [quickjs, starlingmonkey] = [
      await outcome(builds.quickjs, input),
      await outcome(builds.starlingmonkey, input),
    ];
    expect(quickjs).toEqual(starlingmonkey);
    expect(quickjs.events?.[0]).toMatchObject({ source: 'spin-app', type: 'io.triggermesh.demo.transformed' });
  });

  it.each<[string, Uint8Array | undefined, string]>([
    ['not JSON', utf8('not json'), 'data is not JSON: '],
    ['no data', undefined, 'data is not JSON: '],
    ['a JSON array', utf8('[1]'), 'data must be a JSON object'],
  ])('rejects data that is %s as invalid, as the StarlingMonkey build does', async (_, data, reason) => {
    const input = event('io.triggermesh.demo', data);
    for (const component of [builds.quickjs, builds.starlingmonkey]) {
      // The parser's own words differ between the engines; what fails, and how, does not.
      expect(await outcome(component, input)).toEqual({ failure: 'invalid', reason: expect.stringContaining(reason) });
    }
  });

  it('gives fresh instances the same results', async () => {
    const fresh = await load(join(cache, 'example-transform-quickjs.wasm'), { instances: 'fresh' });
    const input = event('io.triggermesh.demo', utf8('{"greeting":"hi"}'));
    const expected = await outcome(builds.quickjs, input);
    for (let i = 0; i < 5; i++) expect(await outcome(fresh, input)).toEqual(expected);
  });
});

describe('the QuickJS prelude (the web APIs QuickJS lacks: TextEncoder, TextDecoder, console, crypto, a seeded Math.random)', () => {
  let wasm: string;
  let guest: Component;
  beforeAll(async () => {
    wasm = await buildFixture('engine-globals', { guard: true, engine: 'quickjs' });
    guest = await load(wasm);
  }, 180_000);

  it.each<[string, number[]]>([
    ['ASCII', [...utf8('plain text')]],
    ['two-, three- and four-byte characters', [...utf8('ñ € 😀')]],
    ['a leading byte order mark, dropped', [0xef, 0xbb, 0xbf, 0x41]],
    ['bytes that never start a character', [0x41, 0x80, 0xbf, 0xff, 0xfe, 0x42]],
    ['truncated sequences, one U+FFFD per maximal subpart', [0xe2, 0x82, 0x41, 0xf0, 0x9f, 0x98]],
    [
      'overlong encodings and encoded surrogates',
      [0xc0, 0x80, 0xe0, 0x80, 0x80, 0xed, 0xa0, 0x80, 0xf4, 0x90, 0x80, 0x80],
    ],
    ['no bytes', []],
  ])('decodes %s as Node does', async (_, bytes) => {
    const [out] = await guest.handle(event('roundtrip', new Uint8Array(bytes)));
    const expected = new TextEncoder().encode(new TextDecoder().decode(new Uint8Array(bytes)));
    expect(Buffer.from(out?.data ?? [])).toEqual(Buffer.from(expected));
  });

  it('decodes and encodes 1 MB', async () => {
    const text = 'añ€😀'.repeat(100_000);
    const [out] = await guest.handle(event('roundtrip', utf8(text)));
    expect(new TextDecoder().decode(out?.data)).toBe(text);
  });

  it('refuses bytes that are not UTF-8 with fatal: a thrown TypeError, retried', async () => {
    expect(await outcome(guest, event('fatal', new Uint8Array([0x41, 0xff])))).toEqual({
      failure: 'retry',
      reason: 'handle threw TypeError: The encoded data was not valid utf-8',
    });
  });

  it('encodes a lone surrogate as U+FFFD, and encodeInto stops before a character that does not fit', async () => {
    const [lone] = await guest.handle(event('lone-surrogate'));
    expect(Buffer.from(lone?.data ?? [])).toEqual(Buffer.from('a\ufffdb'));
    const [into] = await guest.handle(event('encode-into'));
    expect(into?.extensions).toMatchObject({ read: '2', written: '3' });
    expect(Buffer.from(into?.data ?? [])).toEqual(Buffer.from([0x61, 0xc3, 0xb1, 0, 0]));
  });

  it("writes console.log to the guest's stdout and console.error to its stderr, one log record a call", async () => {
    const { logger, records } = capturingLogger();
    const component = await load(wasm, { logger });
    await component.handle(event('console'));
    expect(records).toContainEqual(
      expect.objectContaining({ component: 'guest', stream: 'stdout', msg: 'to stdout {"id":"q1"}' }),
    );
    expect(records).toContainEqual(
      expect.objectContaining({ component: 'guest', stream: 'stderr', msg: 'to stderr q1' }),
    );
  });

  it('draws other random numbers in every fresh instance (QuickJS alone would repeat its build-time seed)', async () => {
    const fresh = await load(wasm, { instances: 'fresh' });
    const draws = [];
    for (let i = 0; i < 4; i++) draws.push((await fresh.handle(event('random')))[0]?.extensions ?? {});
    expect(new Set(draws.map((draw) => draw.random)).size).toBe(4);
    expect(new Set(draws.map((draw) => draw.values)).size).toBe(4);
    expect(new Set(draws.map((draw) => draw.atbuild)).size).toBe(1);
    for (const { random, uuid } of draws) {
      expect(Number(random)).toBeGreaterThanOrEqual(0);
      expect(Number(random)).toBeLessThan(1);
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it('keeps module state in a reused instance and none across fresh ones', async () => {
    const calls = async (component: Component) => (await component.handle(event('calls')))[0]?.extensions.calls;
    const reused = await load(wasm);
    expect([await calls(reused), await calls(reused), await calls(reused)]).toEqual(['1', '2', '3']);
    const fresh = await load(wasm, { instances: 'fresh' });
    expect([await calls(fresh), await calls(fresh), await calls(fresh)]).toEqual(['1', '1', '1']);
  });
});
