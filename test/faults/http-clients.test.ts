/**
 * Bad HTTP clients among good ones on the CloudEvents target, which sends to a sink: an
 * upload aborted, a connection reset mid-body, a body cut short by a half-close, stalled
 * headers, a stalled body. No bad client's event (a body cut short) reaches the sink;
 * each good one does; spindle keeps serving. The raw-socket helpers are those of
 * test/e2e/bad-http-clients.test.ts (test/support/raw-http.ts).
 */
import type { Socket } from 'node:net';
import { expect, it } from 'vitest';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { startReceiver } from '../support/event-receiver.ts';
import { buildFixture } from '../support/fixtures.ts';
import { postEvent } from '../support/post-event.ts';
import { connect, readUntilClosed, requestHead, statusOf } from '../support/raw-http.ts';
import { waitFor } from '../support/wait.ts';
import { faultTable } from './support/fault-table.ts';
import { startTarget } from './support/http-target.ts';

const table = faultTable('bad HTTP clients among good ones');
const cleanups = cleanupAfterEach();

/** A bad client: what it does with a request head announcing 1000 bytes of body; the answer, if it reads one. */
type BadClient = (url: URL, head: string) => Promise<string>;

const badClients: [string, BadClient][] = [
  [
    'aborted upload',
    async (url, head) => {
      const socket = await connect(url);
      socket.write(`${head}${'x'.repeat(100)}`);
      socket.destroy();
      return '';
    },
  ],
  [
    'reset mid-body',
    async (url, head) => {
      const socket = await connect(url);
      const closed = readUntilClosed(socket);
      socket.write(`${head}${'x'.repeat(100)}`);
      await waitFor(() => socket.bytesWritten > 0, { what: 'the partial request on the wire' });
      socket.resetAndDestroy();
      return closed;
    },
  ],
  ['half-sent body', (url, head) => send(url, (socket) => socket.end(`${head}${'x'.repeat(100)}`))],
  ['stalled headers', (url, head) => send(url, (socket) => socket.write(head.slice(0, head.indexOf('\r\n') + 2)))],
  ['stalled body', (url, head) => send(url, (socket) => socket.write(`${head}${'x'.repeat(10)}`))],
];

/** Connect, misbehave, and read the answer until the server closes. */
async function send(url: URL, misbehave: (socket: Socket) => void): Promise<string> {
  const socket = await connect(url);
  const answer = readUntilClosed(socket);
  misbehave(socket);
  return answer;
}

it('no bad client ends more than its own request; every good event reaches the sink', async () => {
  const [wasm, sink] = await Promise.all([buildFixture('behaviours'), startReceiver()]);
  cleanups.push(() => sink.close());
  const spindle = await startTarget(
    wasm,
    { sink: sink.url, limits: { header_timeout_ms: 500, request_timeout_ms: 1000, max_body_bytes: 4096 } },
    cleanups,
  );
  const good: string[] = [];
  const bad: string[] = [];
  const answers: string[] = [];
  for (let i = 0; i < 200; i++) {
    const id = `client-${i}`;
    const reply = await postEvent(spindle.url, { type: 'test.echo', id, source: '/faults' });
    expect(reply.status).toBe(202);
    good.push(id);
    const client = badClients[i % 40 === 20 ? (i - 20) / 40 : -1];
    if (client === undefined) continue;
    const [name, misbehave] = client;
    const badId = `bad-${name.replaceAll(' ', '-')}`;
    const head = requestHead('POST', '/', {
      ...{ 'ce-specversion': '1.0', 'ce-id': badId, 'ce-source': '/faults', 'ce-type': 'test.echo' },
      'content-length': 1000,
    });
    answers.push(`${name}: ${statusOf(await misbehave(spindle.url, head)) || 'no answer'}`);
    bad.push(badId);
  }
  await waitFor(() => sink.events.length >= good.length, { what: 'every good event at the sink' });
  expect(spindle.child.exitCode).toBeNull();
  const row = table.record('bad HTTP clients (cloudevents target)', {
    sent: good.length + bad.length,
    ids: [...good, ...bad],
    delivered: sink.events.map((e) => e.id),
    deadLettered: [],
    // A request spindle never finished reading is still its client's.
    kept: bad,
    note: answers.join(', '),
  });
  expect(row.delivered).toBe(good.length);
  expect(sink.events.filter((e) => e.id.startsWith('bad-'))).toEqual([]);
  expect(answers).toEqual([
    'aborted upload: no answer',
    'reset mid-body: no answer',
    'half-sent body: 400',
    'stalled headers: 408',
    'stalled body: 408',
  ]);
});
