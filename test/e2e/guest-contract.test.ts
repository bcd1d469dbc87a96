/**
 * The guest contract as a user meets it: a TypeScript guest built with
 * `spindle componentize` (types erased, behind the handler guard), served by `spindle up`.
 * A result that does not fit the event record is an error naming the field, never an
 * empty body; a thrown Error's message reaches the HTTP error body and the dead-letter
 * reason, its stack only the log. The same contract holds whichever JavaScript engine the
 * guest is built with (`--engine`).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decode } from '../../adapters/cloudevents/codec.ts';
import { encodeEntry } from '../../adapters/redis/codec.ts';
import type { JsEngine } from '../../src/build/componentize.ts';
import { describeWithBroker, redisUrl, uniqueName } from '../support/brokers.ts';
import { withBuildLock } from '../support/build-lock.ts';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { fixturePaths } from '../support/fixtures.ts';
import { runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

/**
 * Each engine, with how its stack frame for the guest's `throw new Error('boom')` reads in
 * the log: SpiderMonkey's `handle@file:line:column` (at `new`), QuickJS's
 * `handle (file:line:column)` (at `Error`).
 */
const ENGINES: { engine: JsEngine; frame: (line: number) => string }[] = [
  { engine: 'starlingmonkey', frame: (line) => `handle@\\S*contract\\.ts:${line}:15"` },
  { engine: 'quickjs', frame: (line) => `handle \\(\\S*contract\\.ts:${line}:19\\)"` },
];

describe.each(ENGINES)('built with $engine', ({ engine, frame: framePattern }) => {
  let built: Promise<{ wasm: string; source: string }> | undefined;
  /** The guest, built once (by the first `serve`) as a user builds it: the CLI, from the .ts file. */
  const guest = () => {
    built ??= (async () => {
      const { out, source } = await fixturePaths('contract', { guard: true, engine });
      // A no-op when up to date.
      await withBuildLock(out, async () => {
        const build = await runSpindle(['componentize', source, '-o', out, '--engine', engine]);
        if (build.code !== 0) throw new Error(`spindle componentize exited with ${build.code}:\n${build.stderr}`);
      });
      return { wasm: out, source };
    })();
    return built;
  };

  /** `spindle up` with the contract guest behind `trigger` (a TOML table). */
  async function serve(trigger: string): Promise<SpindleProcess> {
    const { wasm } = await guest();
    const dir = mkdtempSync(join(tmpdir(), 'spindle-contract-'));
    writeFileSync(
      join(dir, 'spindle.toml'),
      `[application]
name = "contract"
[variables]
suffix = { default = ".shouted" }
${trigger}
component = "contract"
retry = { attempts = 2, backoff_ms = 1, max_delay_ms = 1 }
[component.contract]
source = "${wasm}"
[component.contract.variables]
suffix = "{{ suffix }}"
`,
    );
    return startSpindle(['-f', dir, '--log-format', 'json']);
  }

  const headers = (type: string, id = 'c1') => ({
    'ce-specversion': '1.0',
    'ce-id': id,
    'ce-source': '/contract',
    'ce-type': type,
    'content-type': 'text/plain',
  });

  async function post(url: URL, type: string, body = '') {
    const response = await fetch(url, { method: 'POST', headers: headers(type), body });
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  describe('a TypeScript guest through the CloudEvents target', () => {
    let spindle: SpindleProcess;
    beforeAll(async () => {
      spindle = await serve('[[trigger.cloudevents]]');
    }, 180_000);
    afterAll(() => spindle.stop('SIGKILL'));

    it('transforms an event: data, an added extension, the type with the variable', async () => {
      const reply = await fetch(spindle.url, { method: 'POST', headers: headers('contract.shout'), body: 'hello' });
      expect(reply.status).toBe(200);
      const body = new Uint8Array(await reply.arrayBuffer());
      expect(decode({ headers: Object.fromEntries(reply.headers), body }).events).toEqual([
        {
          id: 'c1',
          source: '/contract',
          type: 'contract.shout.shouted',
          specversion: '1.0',
          datacontenttype: 'text/plain',
          extensions: { shouted: 'yes' },
          data: new Uint8Array(Buffer.from('HELLO')),
        },
      ]);
    });

    it.each([
      [
        'contract.misfit.string-data',
        'event #1 (id "c1"): \'data\' must be a Uint8Array (bytes) or absent, got a string',
      ],
      ['contract.misfit.null', 'event #1 must be an event record, got null'],
      [
        'contract.misfit.missing-source',
        'event #1 (id "c1"): \'source\' is required and must be a string, got nothing',
      ],
      [
        'contract.misfit.extensions-record',
        'event #1 (id "c1"): \'extensions\' is required and must be a list of [name, value] pairs',
      ],
      [
        'contract.misfit.not-a-list',
        'handle must return a list of events ([] for none, [event] for one), got an object',
      ],
    ])('%s: 400 naming the field, never an empty 200', async (type, reason) => {
      const reply = await post(spindle.url, type, 'hello');
      expect(reply.status).toBe(400);
      expect(reply.text).toContain('the result of handle does not fit the event record: ');
      expect(reply.text).toContain(reason);
    });

    it('passes an event through unchanged, its data bytes included (`[{ ...event }]`)', async () => {
      const reply = await fetch(spindle.url, { method: 'POST', headers: headers('contract.echo'), body: 'as sent' });
      expect(reply.status).toBe(200);
      expect(reply.headers.get('ce-type')).toBe('contract.echo');
      expect(await reply.text()).toBe('as sent');
    });

    it('a thrown Error: 5xx with its message and no stack; the stack goes to the log, pointing into the .ts', async () => {
      const reply = await post(spindle.url, 'contract.throw');
      expect(reply.status).toBe(500);
      expect(reply.text).toBe('component contract asked to retry on event c1: handle threw Error: boom\n');
      // Types are erased in place, so the frame points at the throw's line and column in the .ts.
      const line =
        readFileSync((await guest()).source, 'utf8')
          .split('\n')
          .findIndex((text) => text.includes("new Error('boom')")) + 1;
      const frame = new RegExp(`contract\\.ts: handle threw Error: boom at ${framePattern(line)}`);
      await waitFor(() => frame.test(spindle.output()), { what: `${frame} in the log` });
      // The runtime keeps serving, and the error variants pass through unchanged.
      expect(await post(spindle.url, 'contract.invalid')).toMatchObject({
        status: 400,
        text: expect.stringContaining('not for me'),
      });
      expect(await post(spindle.url, 'contract.retry')).toMatchObject({
        status: 500,
        text: expect.stringContaining('later, please'),
      });
      expect((await post(spindle.url, 'contract.none')).status).toBe(202);
    });
  });

  describe('the CloudEvents target with a dead_letter sink', () => {
    let receiver: EventReceiver;
    let spindle: SpindleProcess;
    beforeAll(async () => {
      receiver = await startReceiver();
      spindle = await serve(`[[trigger.cloudevents]]\ndead_letter = "${receiver.url}"`);
    }, 180_000);
    afterAll(async () => {
      await spindle.stop('SIGKILL');
      await receiver.close();
    });

    it('answers 202 once the failed event is dead-lettered, with the reason naming the field', async () => {
      const reply = await post(spindle.url, 'contract.misfit.string-data', 'hello');
      expect(reply.status).toBe(202);
      expect(receiver.events).toHaveLength(1);
      expect(receiver.events[0]).toMatchObject({
        id: 'c1',
        type: 'contract.misfit.string-data',
        extensions: { deadletterkind: 'invalid', deadlettercomponent: 'contract', deadletterattempts: '1' },
      });
      expect(Buffer.from(receiver.events[0]?.data ?? []).toString()).toBe('hello');
      expect(receiver.events[0]?.extensions.deadletterreason).toContain("'data' must be a Uint8Array");
    });
  });

  describeWithBroker('redis', 'a TypeScript guest on a Redis stream, dead-lettering to HTTP', () => {
    const cleanups = cleanupAfterEach();
    let redis: Redis;
    let receiver: EventReceiver;
    beforeAll(async () => {
      redis = new Redis(redisUrl());
      receiver = await startReceiver();
    });
    afterAll(async () => {
      redis.disconnect();
      await receiver.close();
    });

    it('dead-letters a thrown Error with its message as the reason, and a misfit naming the field', async () => {
      const stream = uniqueName('contract');
      const spindle = await serve(
        `[[trigger.redis]]\naddress = "${redisUrl()}"\nstream = "${stream}"\ngroup = "g"\nsink = "${redisUrl()}?stream=${stream}-out"\ndead_letter = "${receiver.url}"`,
      );
      cleanups.push(() => spindle.stop('SIGKILL'));
      const event = (id: string, type: string) => ({
        id,
        source: '/contract',
        type,
        specversion: '1.0',
        extensions: {},
        data: new Uint8Array(Buffer.from('hello')),
      });
      await redis.xadd(stream, '*', ...encodeEntry(event('thrown', 'contract.throw')));
      await redis.xadd(stream, '*', ...encodeEntry(event('misfit', 'contract.misfit.string-data')));
      await waitFor(() => receiver.events.length >= 2, { what: 'two dead letters' });
      const byId = Object.fromEntries(receiver.events.map((e) => [e.id, e.extensions]));
      expect(byId.thrown).toMatchObject({
        deadletterkind: 'retry',
        deadletterattempts: '2',
        deadletterreason: 'component contract asked to retry on event thrown: handle threw Error: boom',
      });
      expect(byId.misfit).toMatchObject({ deadletterkind: 'invalid', deadletterattempts: '1' });
      expect(byId.misfit?.deadletterreason).toContain("'data' must be a Uint8Array (bytes) or absent, got a string");
    }, 180_000);
  });
});
