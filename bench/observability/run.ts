/**
 * bench/observability: what metrics and tracing cost the example CloudEvents target. The
 * same load (bench/http-target's: wrk where installed, else load.ts) against `spindle up`
 * with everything off (`--no-metrics`, no OTEL_* variables), metrics only (the default),
 * and metrics plus traces exported over OTLP http/protobuf to a local collector stand-in
 * (in this process: it answers every export and counts them, decoding nothing).
 * Usage: node bench/observability/run.ts [--seconds 10] [--concurrency 32] [--rounds 1] [--load node]
 */
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Figures, measure, median } from '../http-target/measure.ts';
import { hasWrk } from '../http-target/wrk.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '1' },
    load: { type: 'string', default: hasWrk() ? 'wrk' : 'node' },
  },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples/transform');
const spindle = join(root, 'bin/spindle.js');

execFileSync(process.execPath, [spindle, 'build', '-f', example], { stdio: 'inherit' });
const help = execFileSync(process.execPath, [spindle, '--help'], { encoding: 'utf8' });
// `--no-metrics` comes with the Prometheus metrics; before them, "off" and "metrics" are the same process.
const noMetrics = help.includes('--no-metrics') ? ['--no-metrics'] : [];

/** The OTLP collector stand-in: 200 to every export, requests and bytes counted. */
const exports = { requests: 0, bytes: 0 };
const collector = http.createServer(async (req, res) => {
  for await (const chunk of req) exports.bytes += (chunk as Buffer).length;
  exports.requests++;
  res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
});
collector.listen(0, '127.0.0.1');
await once(collector, 'listening');
const otlp = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`;

/** This environment without any OTEL_* variable, plus `extra`. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('OTEL_')));
  return { ...clean, ...extra };
}

const up = (...flags: string[]) => [
  spindle,
  'up',
  '-f',
  example,
  '--listen',
  '127.0.0.1:0',
  '--log-format',
  'json',
  ...flags,
];
const modes = [
  { name: 'off', args: up(...noMetrics), env: env() },
  { name: 'metrics', args: up(), env: env() },
  { name: 'metrics + tracing (OTLP)', args: up(), env: env({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp }) },
];

const load = { load: values.load, concurrency: values.concurrency, seconds: values.seconds };
console.log(`load (${values.load}): ${values.concurrency} concurrent requests for ${values.seconds} s per mode`);
console.log(
  `load average before: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
if (noMetrics.length === 0)
  console.log('spindle has no --no-metrics flag here: "off" and "metrics" run the same process');
console.log();

const results = new Map<string, Figures[]>(modes.map((m) => [m.name, []]));
// Rounds alternate the modes, so that a neighbour's burst of load does not land on one mode only.
for (let round = 0; round < Number(values.rounds); round++) {
  for (const mode of modes)
    results.get(mode.name)?.push(await measure(mode.name, mode.args, { ...load, env: mode.env }));
}
collector.close();

const off = median(results.get('off')?.map((f) => f.eventsPerSecond) ?? []);
console.log(
  `\nmedians over ${values.rounds} round(s); load average after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log('| mode | events/s | p50 | p99 | vs off |');
console.log('| --- | --- | --- | --- | --- |');
for (const [name, figures] of results) {
  const eps = median(figures.map((f) => f.eventsPerSecond));
  const p50 = median(figures.map((f) => f.p50ms));
  const p99 = median(figures.map((f) => f.p99ms));
  console.log(
    `| ${name} | ${eps.toFixed(0)} | ${p50.toFixed(1)} ms | ${p99.toFixed(1)} ms | ${((100 * eps) / off).toFixed(0)}% |`,
  );
}
console.log(`\nOTLP exports received: ${exports.requests} requests, ${(exports.bytes / 1024).toFixed(0)} KiB`);
