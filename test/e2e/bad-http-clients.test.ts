/**
 * No HTTP client can take `spindle up` down, and every limit answers with its name and
 * value. One real `spindle up` process serves the CloudEvents target and Spin HTTP
 * routes (inbound-http, wasi:http, and Wagi where clang can build its module); raw
 * sockets misbehave against each route, and after each case the process is still alive
 * and serves a good request.
 */
import { copyFile, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixture } from '../support/fixtures.ts';
import { buildHttpGuest, buildWagiModule } from '../support/http-fixtures.ts';
import { connect, exchange, readUntilClosed, requestHead, statusOf } from '../support/raw-http.ts';
import { type SpindleProcess, startSpindle } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const ceHeaders = (type: string, id = 'e1') => ({
  'ce-specversion': '1.0',
  'ce-id': id,
  'ce-source': '/bad-clients',
  'ce-type': type,
});

/** A route, and a good request to it that must succeed after every bad client. */
interface Target {
  path: string;
  good(url: URL): Promise<Response>;
}

const targets: Target[] = [
  {
    path: '/ce',
    good: (url) =>
      fetch(new URL('/ce', url), {
        method: 'POST',
        headers: { ...ceHeaders('test.echo'), 'content-type': 'text/plain' },
        body: 'ok',
      }),
  },
  { path: '/spin', good: (url) => fetch(new URL('/spin', url), { method: 'POST', body: 'ok' }) },
  { path: '/wasi', good: (url) => fetch(new URL('/wasi', url), { method: 'POST', body: 'ok' }) },
];

let app: SpindleProcess;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-bad-clients-'));
  const [behaviours, spin, wasi] = await Promise.all([
    buildFixture('behaviours'),
    buildHttpGuest('spin-echo'),
    buildHttpGuest('wasi-echo'),
  ]);
  let wagi = '';
  try {
    wagi = await buildWagiModule();
    targets.push({ path: '/wagi', good: (url) => fetch(new URL('/wagi', url), { method: 'POST', body: 'ok' }) });
  } catch (error) {
    console.warn(`[bad-http-clients] the Wagi route is not tested: its module cannot be built (${error})`);
  }
  await copyFile(spin, join(dir, 'spin.wasm'));
  await copyFile(wasi, join(dir, 'wasi.wasm'));
  if (wagi) await copyFile(wagi, join(dir, 'wagi.wasm'));
  await writeFile(
    join(dir, 'spindle.toml'),
    `[application]
name = "bad-clients"
[application.limits]
header_timeout_ms = 500
request_timeout_ms = 1000
max_body_bytes = 4096
max_events_in_flight = 1
max_batch_events = 3
max_json_depth = 8

[[trigger.cloudevents]]
route = "/ce"
component = "behaviours"
retry = { attempts = 1 }

[[trigger.http]]
route = "/spin"
component = "spin"
[[trigger.http]]
route = "/wasi"
component = "wasi"
${wagi ? '[[trigger.http]]\nroute = "/wagi"\ncomponent = "wagi"\nexecutor = { type = "wagi" }\n[component.wagi]\nsource = "wagi.wasm"\n' : ''}
[component.behaviours]
source = "${behaviours}"
threads = 1
timeout_ms = 2000
[component.spin]
source = "spin.wasm"
[component.wasi]
source = "wasi.wasm"
`,
  );
  app = await startSpindle(['-f', dir, '--log-format', 'json', '--limit', 'max_headers=20']);
}, 240_000);

afterAll(async () => {
  await app?.stop('SIGKILL');
});

async function stillServes(target: Target): Promise<void> {
  expect(app.child.exitCode, app.output()).toBeNull();
  const reply = await target.good(app.url);
  expect(reply.status, await reply.clone().text()).toBe(200);
  expect(app.child.exitCode).toBeNull();
}

describe.each(targets.map((t) => [t.path, t] as const))(
  'bad clients on %s end only their own request',
  (path, target) => {
    const head = () => requestHead('POST', path, { ...ceHeaders('test.echo'), 'content-length': 1000 });

    it('a body cut short by a closed socket', async () => {
      const socket = await connect(app.url);
      socket.write(head() + 'x'.repeat(100));
      socket.destroy();
      await stillServes(target);
    });

    it('a body cut short by a half-close (FIN), the client still reading', async () => {
      const socket = await connect(app.url);
      const answer = readUntilClosed(socket);
      socket.end(head() + 'x'.repeat(100));
      await answer;
      await stillServes(target);
    });

    it('a connection reset in the middle of the body', async () => {
      const socket = await connect(app.url);
      const closed = readUntilClosed(socket);
      socket.write(head() + 'x'.repeat(100));
      await waitFor(() => socket.bytesWritten > 0, { what: 'the partial request on the wire' });
      socket.resetAndDestroy();
      await closed;
      await stillServes(target);
    });

    it('a request whose headers end half-way: 400', async () => {
      const answer = await exchange(app.url, `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le`);
      expect(statusOf(answer)).toBe(400);
      await stillServes(target);
    });

    it('stalled headers: 408 naming header_timeout_ms', async () => {
      const socket = await connect(app.url);
      const answer = readUntilClosed(socket);
      socket.write(`POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n`);
      const text = await answer;
      expect(statusOf(text)).toBe(408);
      expect(text).toContain('header_timeout_ms = 500');
      await stillServes(target);
    });

    it('a stalled body: 408 naming request_timeout_ms', async () => {
      const socket = await connect(app.url);
      const answer = readUntilClosed(socket);
      socket.write(head() + 'x'.repeat(10));
      const text = await answer;
      expect(statusOf(text)).toBe(408);
      expect(text).toContain('request_timeout_ms = 1000');
      await stillServes(target);
    });

    it('a body over max_body_bytes: 413 naming the limit', async () => {
      const answer = await exchange(
        app.url,
        requestHead('POST', path, { ...ceHeaders('test.echo'), 'content-length': 5000 }),
      );
      expect(statusOf(answer)).toBe(413);
      expect(answer).toContain('max_body_bytes = 4096');
      await stillServes(target);
    });
  },
);

it('more header fields than --limit max_headers=20: 431 naming the limit', async () => {
  const headers = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`x-h${i}`, 'v']));
  const answer = await exchange(app.url, requestHead('POST', '/spin', { ...headers, 'content-length': 0 }));
  expect(statusOf(answer)).toBe(431);
  expect(answer).toContain('more than 20 header fields (max_headers = 20)');
  expect(app.child.exitCode).toBeNull();
});

describe('the CloudEvents target judges input once', () => {
  const ce = () => targets[0] as Target;
  const postStructured = (event: Record<string, unknown>) =>
    fetch(new URL('/ce', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 's1', source: '/s', type: 'test.echo', ...event }),
    });

  it('a batch over max_batch_events: 413 naming the limit', async () => {
    const member = { specversion: '1.0', id: 'b', source: '/s', type: 'test.echo' };
    const reply = await fetch(new URL('/ce', app.url), {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents-batch+json' },
      body: JSON.stringify([member, member, member, member]),
    });
    expect(reply.status).toBe(413);
    expect(await reply.text()).toContain('max_batch_events = 3');
  });

  it('JSON deeper than max_json_depth: 400 naming the limit', async () => {
    const reply = await postStructured({ data: JSON.parse('['.repeat(20) + ']'.repeat(20)) });
    expect(reply.status).toBe(400);
    expect(await reply.text()).toContain('max_json_depth = 8');
  });

  it('a datacontenttype with CR/LF: 400, never echoed, never a retry', async () => {
    const reply = await postStructured({ datacontenttype: 'text/plain\r\nx-injected: yes', data: 'x' });
    expect(reply.status).toBe(400);
    expect(reply.headers.get('x-injected')).toBeNull();
    const text = await reply.text();
    expect(text).toContain('control character U+000D');
    expect(text).not.toContain('x-injected');
  });

  it('raw non-ASCII bytes in a ce- header: 400 asking for percent-encoding', async () => {
    const head = requestHead('POST', '/ce', {
      ...ceHeaders('test.echo'),
      'ce-subject': 'caf\u00c3\u00a9',
      'content-length': 0,
    });
    const answer = await exchange(app.url, head);
    expect(statusOf(answer)).toBe(400);
    expect(answer).toContain('header ce-subject holds the byte 0xC3');
    await stillServes(ce());
  });

  it('a percent-encoded ce- header arrives decoded', async () => {
    const reply = await fetch(new URL('/ce', app.url), {
      method: 'POST',
      headers: { ...ceHeaders('test.echo'), 'ce-subject': 'caf%C3%A9', 'content-type': 'text/plain' },
      body: 'x',
    });
    expect(reply.status).toBe(200);
    expect(reply.headers.get('ce-subject')).toBe('caf%C3%A9');
  });
});

// Last: the looping event holds the only slot until its deadline.
describe('events in flight over max_events_in_flight', () => {
  it('HTTP answers 503 with Retry-After naming the limit, and serves again once there is room', async () => {
    const looping = fetch(new URL('/ce', app.url), { method: 'POST', headers: ceHeaders('test.loop', 'loop-1') });
    let busy: Response | undefined;
    await waitFor(
      async () => {
        const reply = await fetch(new URL('/spin', app.url), { method: 'POST', body: 'ok' });
        if (reply.status === 503) busy = reply;
        return busy !== undefined;
      },
      { what: 'a 503 while the looping event holds the only slot' },
    );
    expect(busy?.headers.get('retry-after')).toBe('1');
    expect(await busy?.text()).toContain('max_events_in_flight = 1');
    const ceBusy = await fetch(new URL('/ce', app.url), { method: 'POST', headers: ceHeaders('test.echo') });
    expect(ceBusy.status).toBe(503);
    expect((await looping).status).toBe(500); // the deadline stopped it
    for (const target of targets) await stillServes(target);
  }, 30_000);
});
