/**
 * bench/memory: spindle's resident memory (RSS of the whole process: main thread, event
 * workers, wasm memories) with one and with three JavaScript components (bench/memory/
 * apps.ts), idle and under HTTP load from a second process (wrk where installed, else
 * load.ts), and in a soak: load without pause for `--minutes`, RSS sampled after each
 * `--every` seconds of load, with the slope and the first minute against the last.
 * Usage: node bench/memory/run.ts [--seconds 10] [--concurrency 32] [--load node]
 *        node bench/memory/run.ts --soak [--minutes 10] [--every 5] [--components 3]
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { residentMb } from '../../test/support/process-memory.ts';
import { type Figures, serve } from '../http-target/measure.ts';
import { hasWrk, wrkLoad } from '../http-target/wrk.ts';
import { appWith } from './apps.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '32' },
    load: { type: 'string', default: hasWrk() ? 'wrk' : 'node' },
    soak: { type: 'boolean', default: false },
    minutes: { type: 'string', default: '10' },
    every: { type: 'string', default: '5' },
    components: { type: 'string', default: '3' },
    /** Seconds a started spindle is left alone before its idle RSS is read. */
    settle: { type: 'string', default: '5' },
  },
});
const root = fileURLToPath(new URL('../../', import.meta.url));
const spindle = join(root, 'bin/spindle.js');
const LOAD = join(root, 'bench/http-target/load.ts');

/** `seconds` of load on one route; the figures of the load generator. */
function load(url: string, seconds: number): Figures & { events?: number } {
  return values.load === 'wrk'
    ? wrkLoad(url, values.concurrency, String(seconds))
    : JSON.parse(
        execFileSync(process.execPath, [LOAD, url, values.concurrency, String(seconds)], { encoding: 'utf8' }),
      );
}

async function up(components: number): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const dir = appWith(components);
  const { url, child } = await serve([spindle, 'up', '-f', dir, '--listen', '127.0.0.1:0', '--log-format', 'json']);
  return {
    url,
    child,
    async stop() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

const rssOf = (child: ChildProcess) => residentMb(child.pid as number, 'VmRSS');
const mb = (value: number) => `${value.toFixed(0)} MB`;

/** Idle RSS, then RSS after load on each component's route in turn (`seconds` each). */
async function idleAndLoaded(components: number) {
  const app = await up(components);
  await sleep(Number(values.settle) * 1000);
  const idle = rssOf(app.child);
  let peak = idle;
  const rates: number[] = [];
  for (let n = 1; n <= components; n++) {
    const figures = load(new URL(`t${n}`, app.url).href, Number(values.seconds));
    rates.push(figures.eventsPerSecond);
    peak = Math.max(peak, residentMb(app.child.pid as number, 'VmHWM'));
  }
  const loaded = rssOf(app.child);
  await sleep(Number(values.settle) * 1000);
  const after = rssOf(app.child);
  await app.stop();
  const row = `| ${components} | ${mb(idle)} | ${mb(loaded)} | ${mb(peak)} | ${mb(after)} | ${rates.join(', ')} |`;
  console.log(row);
  return row;
}

/** Least-squares slope of `ys` over `xs`. */
function slope(xs: number[], ys: number[]): number {
  const mean = (vs: number[]) => vs.reduce((a, b) => a + b, 0) / vs.length;
  const mx = mean(xs);
  const my = mean(ys);
  const num = xs.reduce((sum, x, i) => sum + (x - mx) * ((ys[i] as number) - my), 0);
  const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

async function soak(components: number, minutes: number, every: number) {
  const app = await up(components);
  await sleep(Number(values.settle) * 1000);
  console.log(`soak: ${components} component(s), ${minutes} min of load, RSS after every ${every} s of load`);
  console.log(`idle before load: ${mb(rssOf(app.child))}`);
  const started = performance.now();
  const samples: { minute: number; rss: number; events: number }[] = [];
  let events = 0;
  for (let round = 0; performance.now() - started < minutes * 60_000; round++) {
    // Each round loads the next component's route: every component serves a share.
    const figures = load(new URL(`t${(round % components) + 1}`, app.url).href, every);
    events += figures.events ?? Math.round(figures.eventsPerSecond * every);
    const sample = { minute: (performance.now() - started) / 60_000, rss: rssOf(app.child), events };
    samples.push(sample);
    console.log(
      `${sample.minute.toFixed(2)} min  ${mb(sample.rss)}  ${events} events  ${figures.eventsPerSecond} events/s`,
    );
  }
  await app.stop();
  const rss = samples.map((s) => s.rss);
  const perMinute = slope(
    samples.map((s) => s.minute),
    rss,
  );
  const perMillion = slope(
    samples.map((s) => s.events / 1e6),
    rss,
  );
  const average = (vs: number[]) => vs.reduce((a, b) => a + b, 0) / Math.max(1, vs.length);
  const first = average(samples.filter((s) => s.minute <= 1).map((s) => s.rss));
  const last = average(samples.filter((s) => s.minute >= minutes - 1).map((s) => s.rss));
  console.log(
    `\nRSS slope: ${perMinute.toFixed(2)} MB/min, ${perMillion.toFixed(2)} MB per million events; ` +
      `first minute ${mb(first)}, last minute ${mb(last)}; min ${mb(Math.min(...rss))}, max ${mb(Math.max(...rss))}`,
  );
}

console.log(`Node ${process.version}, load (${values.load}): ${values.concurrency} concurrent requests\n`);
if (values.soak) {
  await soak(Number(values.components), Number(values.minutes), Number(values.every));
} else {
  console.log(
    `| JS components | idle | after load (${values.seconds} s per component) | peak | idle again | events/s per component |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  await idleAndLoaded(1);
  await idleAndLoaded(3);
}
