import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decode, encodeBatch, encodeStructured } from '../../adapters/cloudevents/codec.ts';
import type { CloudEvent } from '../../src/event.ts';
import { type EventReceiver, startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { runSpindle, type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const binary = (type: string, id = 'e1', extra: Record<string, string> = {}) => ({
  'ce-specversion': '1.0',
  'ce-id': id,
  'ce-source': '/test',
  'ce-type': type,
  ...extra,
});

let wasm: string;
const running: SpindleProcess[] = [];

beforeAll(async () => {
  wasm = await buildFixture('behaviours');
});
afterEach(async () => {
  for (const p of running.splice(0)) await p.stop('SIGKILL');
});

/** An app whose cloudevents trigger runs the behaviours guest; its directory. */
function writeApp(trigger: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-e2e-'));
  writeFileSync(
    join(dir, 'spindle.toml'),
    `[application]
name = "e2e"
[variables]
greeting = { default = "hello" }
[[trigger.cloudevents]]
component = "behaviours"
${trigger}
[component.behaviours]
source = "${wasm}"
[component.behaviours.variables]
greeting = "{{ greeting }}"
`,
  );
  return dir;
}

/** `spindle up` on writeApp's app. */
async function serve(trigger: string = '', env: NodeJS.ProcessEnv = {}): Promise<SpindleProcess> {
  const process = await startSpindle(['-f', writeApp(trigger), '--log-format', 'json'], { env });
  running.push(process);
  return process;
}

async function post(url: URL, headers: Record<string, string>, body: Uint8Array | string = '') {
  const response = await fetch(url, { method: 'POST', headers, body });
  return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
}

function replyEvents(reply: Awaited<ReturnType<typeof post>>): CloudEvent[] {
  return decode({ headers: Object.fromEntries(reply.headers), body: reply.body }).events;
}

describe('the CloudEvents HTTP target (spindle up)', () => {
  it('answers a binary-mode event with the emitted event in binary mode, bytes intact', async () => {
    const spindle = await serve();
    const reply = await post(
      spindle.url,
      binary('test.echo', 'e1', { 'content-type': 'application/json', 'ce-myext': 'x y' }),
      '{ "exact":  "bytes" }',
    );
    expect(reply.status).toBe(200);
    expect(reply.headers.get('ce-id')).toBe('e1');
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(replyEvents(reply)).toEqual([
      {
        id: 'e1',
        source: '/test',
        type: 'test.echo',
        specversion: '1.0',
        datacontenttype: 'application/json',
        extensions: { myext: 'x y' },
        data: new Uint8Array(Buffer.from('{ "exact":  "bytes" }')),
      },
    ]);
  });

  it('answers a structured-mode event in structured mode', async () => {
    const spindle = await serve();
    const event: CloudEvent = { id: 's1', source: '/t', type: 'test.echo', specversion: '1.0', extensions: {} };
    const { headers, body } = encodeStructured(event);
    const reply = await post(spindle.url, headers, body);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/cloudevents+json');
    expect(replyEvents(reply)).toEqual([event]);
  });

  it('answers a batch with a batch of every emitted event', async () => {
    const spindle = await serve();
    const events: CloudEvent[] = ['b1', 'b2'].map((id) => ({
      id,
      source: '/t',
      type: 'test.many',
      specversion: '1.0',
      extensions: {},
    }));
    const reply = await post(spindle.url, encodeBatch(events).headers, encodeBatch(events).body);
    expect(reply.status).toBe(200);
    expect(replyEvents(reply).map((e) => e.id)).toEqual(['b1-1', 'b1-2', 'b2-1', 'b2-2']);
  });

  it('answers 202 with no body when the component emits nothing', async () => {
    const spindle = await serve();
    const reply = await post(spindle.url, binary('test.none'));
    expect(reply.status).toBe(202);
    expect(reply.body.length).toBe(0);
  });

  it('refuses to drop events: several events for one event and no sink is a 500 with the reason', async () => {
    const spindle = await serve();
    const reply = await post(spindle.url, binary('test.many'));
    expect(reply.status).toBe(500);
    expect(Buffer.from(reply.body).toString()).toMatch(/emitted 2 events for one event; configure a sink/);
  });

  it('rejects an invalid CloudEvent with 400 and the reason', async () => {
    const spindle = await serve();
    const missingId = await post(spindle.url, { 'ce-specversion': '1.0', 'ce-source': '/t', 'ce-type': 't' });
    expect(missingId.status).toBe(400);
    expect(Buffer.from(missingId.body).toString()).toContain("'id' is required");
    const notAnEvent = await post(spindle.url, { 'content-type': 'text/plain' }, 'hello');
    expect(notAnEvent.status).toBe(400);
    expect(Buffer.from(notAnEvent.body).toString()).toContain('not a CloudEvent');
  });

  it('maps component errors to what Knative expects: invalid 400, retry and trap 5xx, no stack traces', async () => {
    const spindle = await serve('retry = { attempts = 2, backoff_ms = 1, max_delay_ms = 1 }');
    const invalid = await post(spindle.url, binary('test.invalid'));
    expect(invalid.status).toBe(400);
    expect(Buffer.from(invalid.body).toString()).toContain('reason text');
    const retry = await post(spindle.url, binary('test.retry'));
    expect(retry.status).toBeGreaterThanOrEqual(500);
    const trap = await post(spindle.url, binary('test.trap'));
    expect(trap.status).toBeGreaterThanOrEqual(500);
    expect(Buffer.from(trap.body).toString()).not.toMatch(/\n\s+at /);
    // The runtime keeps serving after a trap.
    expect((await post(spindle.url, binary('test.echo'))).status).toBe(200);
  });

  it('reads variables: manifest default, overridden by SPIN_VARIABLE_*', async () => {
    const spindle = await serve('', { SPIN_VARIABLE_GREETING: 'from-env' });
    const reply = await post(spindle.url, binary('test.var', 'v1', { 'ce-subject': 'greeting' }));
    expect(Buffer.from(reply.body).toString()).toBe('from-env');
  });

  it('refuses a body over 16 MiB with 413', async () => {
    const spindle = await serve();
    const reply = await post(spindle.url, binary('test.echo'), new Uint8Array(16 * 1024 * 1024 + 1));
    expect(reply.status).toBe(413);
    expect(Buffer.from(reply.body).toString()).toContain('larger than');
  });

  it('answers the health route', async () => {
    const spindle = await serve();
    const health = await fetch(new URL('/.well-known/spin/health', spindle.url));
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('OK');
  });

  describe('with a sink', () => {
    let receiver: EventReceiver;
    beforeAll(async () => {
      receiver = await startReceiver();
    });
    afterAll(() => receiver.close());

    it('sends emitted events to the sink in binary mode with K_CE_OVERRIDES, then answers 202', async () => {
      const spindle = await serve(`sink = "${receiver.url}"`, { K_CE_OVERRIDES: '{"extensions":{"extra":"test"}}' });
      const reply = await post(spindle.url, binary('test.many', 'k1'));
      expect(reply.status).toBe(202);
      expect(receiver.events.filter((e) => e.id.startsWith('k1-')).map((e) => [e.id, e.extensions.extra])).toEqual([
        ['k1-1', 'test'],
        ['k1-2', 'test'],
      ]);
    });

    it('uses K_SINK when the trigger names no sink', async () => {
      const spindle = await serve('', { K_SINK: receiver.url });
      expect((await post(spindle.url, binary('test.echo', 'ksink-1'))).status).toBe(202);
      expect(receiver.events.map((e) => e.id)).toContain('ksink-1');
    });

    it('retries a failing sink with backoff before it succeeds', async () => {
      const spindle = await serve(`sink = "${receiver.url}"\nretry = { attempts = 3, backoff_ms = 1 }`);
      receiver.failNext(2);
      expect((await post(spindle.url, binary('test.echo', 'flaky-sink'))).status).toBe(202);
      expect(receiver.events.map((e) => e.id)).toContain('flaky-sink');
    });
  });

  it('reports a sink that is down as a 5xx after its retries', async () => {
    const down = await startReceiver();
    await down.close(); // nothing listens there any more
    const spindle = await serve(`sink = "${down.url}"\nretry = { attempts = 2, backoff_ms = 1 }`);
    const reply = await post(spindle.url, binary('test.echo'));
    expect(reply.status).toBe(502);
    expect(Buffer.from(reply.body).toString()).toContain(`sink ${down.url}`);
  });

  it('finishes in-flight requests on SIGTERM and exits 0', async () => {
    const receiver = await startReceiver();
    const release = receiver.hold();
    const spindle = await serve(`sink = "${receiver.url}"`);
    const inFlight = post(spindle.url, binary('test.echo', 'last'));
    await waitFor(() => receiver.waiting === 1, { what: 'the event held at the sink' });
    const code = spindle.stop('SIGTERM');
    release();
    expect((await inFlight).status).toBe(202);
    expect(await code).toBe(0);
    expect(receiver.events.map((e) => e.id)).toEqual(['last']);
    await receiver.close();
  });
});

describe('filters (Knative new trigger filters) on the CloudEvents target', () => {
  it('transforms the events every filter selects and answers 202 to the others', async () => {
    const spindle = await serve(`filter = { exact = { type = "test.echo" } }
filters = [
  { prefix = { type = "test." } },
  { any = [ { exact = { source = "/a" } }, { cesql = "subject LIKE 'order-%' AND INT(SUBSTRING(subject, 7)) > 40" } ] },
  { not = { exact = { region = "us" } } },
  { all = [ { suffix = { type = ".echo" } }, { not = { suffix = { subject = "-99" } } } ] },
]`);
    const send = (id: string, headers: Record<string, string>) =>
      post(spindle.url, { ...binary('test.echo', id), ...headers });
    const selected = [
      await send('from-a', { 'ce-source': '/a' }),
      await send('order-42', { 'ce-source': '/b', 'ce-subject': 'order-42', 'ce-region': 'eu' }),
    ];
    for (const reply of selected) expect(reply.status).toBe(200);
    expect(selected.flatMap(replyEvents).map((e) => e.id)).toEqual(['from-a', 'order-42']);

    const skipped = [
      await send('order-7', { 'ce-source': '/b', 'ce-subject': 'order-7' }),
      await send('no-subject', { 'ce-source': '/b' }),
      await send('from-us', { 'ce-source': '/a', 'ce-region': 'us' }),
      // `any` selects it (99 > 40), `all` does not (its subject ends with -99).
      await send('order-99', { 'ce-source': '/b', 'ce-subject': 'order-99' }),
      // Every `filters` entry selects it, `filter` does not: test.many would emit two events.
      await post(spindle.url, { ...binary('test.many', 'many'), 'ce-source': '/a' }),
    ];
    expect(skipped.map((reply) => [reply.status, reply.body.length])).toEqual([
      [202, 0],
      [202, 0],
      [202, 0],
      [202, 0],
      [202, 0],
    ]);
  });

  it('refuses to start on a CESQL expression that does not parse, naming the table, the field and the column', async () => {
    const dir = writeApp(`filters = [ { exact = { type = "a" } }, { cesql = "subject LIKE 'order-%' AND" } ]`);
    const result = await runSpindle(['up', '-f', dir]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `[trigger.cloudevents[0]] filters[1].cesql: invalid CloudEvents SQL at column 27 of "subject LIKE 'order-%' AND": expected a value`,
    );
  });
});

describe('spindle CLI errors', () => {
  it('exits non-zero with one clear line for a bad manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spindle-e2e-bad-'));
    writeFileSync(
      join(dir, 'spindle.toml'),
      '[application]\nname = "bad"\n[[trigger.cloudevents]]\ncomponent = "nope"\n',
    );
    const result = await runSpindle(['up', '-f', dir]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^Error: .*spindle\.toml.*trigger\.cloudevents.*component.*nope/);
  });

  it('prints its version and help', async () => {
    expect((await runSpindle(['--version'])).stdout).toMatch(/^spindle \d+\.\d+\.\d+/);
    expect((await runSpindle(['--help'])).stdout).toContain('spindle up');
  });
});
