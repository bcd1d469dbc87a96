/**
 * Load generator, run as its own process so that it does not share the target's event
 * loop: POSTs binary-mode CloudEvents for `seconds`, then prints one JSON line: events/s
 * and latency percentiles.
 * Closed loop by default: `concurrency` requests in flight, the next sent when one ends.
 * With `--rate N`, open loop: N requests per second at fixed intervals whatever the
 * answers (at most `concurrency` connections), each latency counted from the moment its
 * request was due, so that a target that falls behind shows it in the percentiles.
 * Usage: node load.ts URL [concurrency] [seconds] [--rate N] [--bytes N]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { eventBody } from './event-body.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { rate: { type: 'string' }, bytes: { type: 'string', default: '0' } },
});
const [url = '', concurrencyArg = '32', secondsArg = '10'] = positionals;
const target = new URL(url);
const concurrency = Number(concurrencyArg);
const deadline = performance.now() + Number(secondsArg) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const body = Buffer.from(eventBody(Number(values.bytes)));
const latencies: number[] = [];
let failures = 0;
let sequence = 0;

function post(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: 'POST',
        agent,
        headers: {
          'ce-specversion': '1.0',
          'ce-id': `bench-${sequence++}`,
          'ce-source': '/bench',
          'ce-type': 'io.triggermesh.bench',
          'content-type': 'application/json',
          'content-length': body.length,
        },
      },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.once('error', reject);
    req.end(body);
  });
}

async function send(since: number): Promise<void> {
  const status = await post().catch(() => 0);
  if (status === 200) latencies.push(performance.now() - since);
  else failures++;
}

async function closedLoop(): Promise<void> {
  while (performance.now() < deadline) await send(performance.now());
}

async function openLoop(rate: number): Promise<void> {
  const interval = 1000 / rate;
  const started = performance.now();
  const pending: Promise<void>[] = [];
  let due = 0;
  for (let now = started; now < deadline; now = performance.now()) {
    for (; started + due * interval <= now; due++) pending.push(send(started + due * interval));
    await new Promise((tick) => setTimeout(tick, 1));
  }
  await Promise.all(pending);
}

const started = performance.now();
if (values.rate) await openLoop(Number(values.rate));
else await Promise.all(Array.from({ length: concurrency }, closedLoop));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    events: latencies.length,
    failures,
    eventsPerSecond: Math.round(latencies.length / elapsed),
    p50ms: Number(pct(50).toFixed(2)),
    p99ms: Number(pct(99).toFixed(2)),
  }),
);
agent.destroy();
