/**
 * Load generator, run as its own process so that it does not share the target's event
 * loop: POSTs binary-mode CloudEvents with `concurrency` requests in flight for
 * `seconds`, then prints one JSON line: events/s and latency percentiles.
 * Usage: node load.ts URL [concurrency] [seconds]
 */
import http from 'node:http';

const [url = '', concurrencyArg = '32', secondsArg = '10'] = process.argv.slice(2);
const target = new URL(url);
const concurrency = Number(concurrencyArg);
const deadline = performance.now() + Number(secondsArg) * 1000;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const body = Buffer.from(JSON.stringify({ name: 'spindle', count: 1 }));
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

async function worker(): Promise<void> {
  while (performance.now() < deadline) {
    const start = performance.now();
    const status = await post().catch(() => 0);
    if (status === 200) latencies.push(performance.now() - start);
    else failures++;
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: concurrency }, worker));
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
