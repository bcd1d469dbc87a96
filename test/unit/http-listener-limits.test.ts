/**
 * The listener's limits and bad clients, with a plain route that reads its body the way
 * every HTTP trigger does (readBody inside serveSafely). Raw sockets on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, type Limits } from '../../src/app/limits.ts';
import { readBody } from '../../src/host/body.ts';
import { serveSafely } from '../../src/host/serve-safely.ts';
import { HEALTH_ROUTE, HttpHost } from '../../src/host/server.ts';
import { silentLogger } from '../../src/log.ts';
import { connect, exchange, readUntilClosed, requestHead, statusOf } from '../support/raw-http.ts';

const LIMITS: Limits = {
  ...DEFAULT_LIMITS,
  headerTimeoutMs: 300,
  requestTimeoutMs: 600,
  maxConnections: 2,
  maxBodyBytes: 1000,
  maxHeaders: 10,
};

let host: HttpHost;
let url: URL;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeEach(async () => {
  process.on('unhandledRejection', onUnhandled);
  host = new HttpHost({ limits: LIMITS, logger: silentLogger() });
  host.routes.post('/echo', (req, res) => {
    void serveSafely(silentLogger(), res, async () => {
      const body = await readBody(req, LIMITS);
      res.end(`got ${body.length} bytes`);
    });
  });
  url = await host.listen({ host: '127.0.0.1', port: 0 });
});
afterEach(async () => {
  await host.close();
  process.off('unhandledRejection', onUnhandled);
  expect(unhandled).toEqual([]);
  unhandled.length = 0;
});

const post = (body: string) => fetch(new URL('/echo', url), { method: 'POST', body });

async function stillServes(): Promise<void> {
  const reply = await post('hello');
  expect(reply.status).toBe(200);
  expect(await reply.text()).toBe('got 5 bytes');
}

describe('bad clients end only their own request', () => {
  it('a body cut short by a closed socket', async () => {
    const socket = await connect(url);
    socket.write(requestHead('POST', '/echo', { 'content-length': 500 }) + 'x'.repeat(100));
    socket.destroy();
    await stillServes();
  });

  it('a connection reset in the middle of the body', async () => {
    const socket = await connect(url);
    socket.write(requestHead('POST', '/echo', { 'content-length': 500 }) + 'x'.repeat(100));
    await new Promise((resolve) => setImmediate(resolve));
    socket.resetAndDestroy();
    await stillServes();
  });

  it('a request whose headers end half-way: 400', async () => {
    const answer = await exchange(url, 'POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le');
    expect(statusOf(answer)).toBe(400);
    await stillServes();
  });

  it('stalled headers: 408 naming header_timeout_ms', async () => {
    const socket = await connect(url);
    const answer = readUntilClosed(socket);
    socket.write('POST /echo HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    const text = await answer;
    expect(statusOf(text)).toBe(408);
    expect(text).toContain('header_timeout_ms = 300');
    await stillServes();
  });

  it('a stalled body: 408 naming request_timeout_ms', async () => {
    const socket = await connect(url);
    const answer = readUntilClosed(socket);
    socket.write(requestHead('POST', '/echo', { 'content-length': 500 }) + 'x'.repeat(10));
    const text = await answer;
    expect(statusOf(text)).toBe(408);
    expect(text).toContain('request_timeout_ms = 600');
    await stillServes();
  });
});

describe('limits answer with the limit', () => {
  it('a declared body over max_body_bytes: 413 before it is read', async () => {
    const answer = await exchange(url, requestHead('POST', '/echo', { 'content-length': 5000 }));
    expect(statusOf(answer)).toBe(413);
    expect(answer).toContain('max_body_bytes = 1000');
    await stillServes();
  });

  it('a chunked body that grows past max_body_bytes: 413', async () => {
    const chunk = 'y'.repeat(600);
    const body = `${(600).toString(16)}\r\n${chunk}\r\n`.repeat(3);
    const answer = await exchange(url, requestHead('POST', '/echo', { 'transfer-encoding': 'chunked' }), body);
    expect(statusOf(answer)).toBe(413);
    expect(answer).toContain('max_body_bytes = 1000');
    await stillServes();
  });

  it('more header fields than max_headers: 431', async () => {
    const headers = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`x-h${i}`, 'v']));
    const answer = await exchange(url, requestHead('POST', '/echo', { ...headers, 'content-length': 0 }));
    expect(statusOf(answer)).toBe(431);
    expect(answer).toContain('more than 10 header fields (max_headers = 10)');
  });

  it('connections over max_connections: 503 with Retry-After, the health route still answers', async () => {
    const held = [await connect(url), await connect(url)];
    try {
      const over = await exchange(url, requestHead('POST', '/echo', { 'content-length': 2 }), 'hi');
      expect(statusOf(over)).toBe(503);
      expect(over.toLowerCase()).toContain('retry-after: 1');
      expect(over).toContain('max_connections = 2');
      const health = await exchange(url, requestHead('GET', HEALTH_ROUTE, {}));
      expect(statusOf(health)).toBe(200);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
