/**
 * bench/profile-summary: where the consumers of a broker bench spend its measured window.
 * Reads one directory's V8 CPU profiles (`--cpu-prof`) and the windows bench/brokers
 * wrote there (BENCH_WINDOWS, bench/brokers/window.ts), and prints, for each consumer
 * (spindle and the plain program) and each of its JavaScript threads: its CPU time in the
 * window (from /proc) and per event, its busy share in the profile (which also counts
 * time spent waiting for a core), and its busy samples by category
 * (profile-categories.ts). Only samples inside the window count: not start-up, not the
 * group join, not the drain. The windows of one program (rounds) are pooled.
 *
 *   D=$(mktemp -d)
 *   BENCH_WINDOWS=$D/windows.jsonl NODE_OPTIONS="--cpu-prof --cpu-prof-interval 500 --cpu-prof-dir=$D" \
 *     node bench/brokers/run.ts --only kafka --rounds 1
 *   node bench/profile-summary.ts $D [--top 12]
 *
 * `--top N` adds each thread's N functions with the most samples of their own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism as cores } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { WindowRecord } from './brokers/window.ts';
import { markdownTable } from './markdown-table.ts';
import { CATEGORIES, type CallFrame, type Category, categorize } from './profile-categories.ts';

interface Profile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface ThreadSummary {
  name: string;
  /** Node's, as in the profile's file name: 0 for the main thread. */
  threadId: number;
  /** CPU time in the window from /proc, when it could be matched to the thread. */
  cpuMs: number | undefined;
  samples: number;
  byCategory: Map<Category, number>;
  byFunction: Map<string, number>;
}

const { values, positionals } = parseArgs({
  options: { top: { type: 'string', default: '0' } },
  allowPositionals: true,
});
const dir = positionals[0];
if (dir === undefined) throw new Error('usage: node bench/profile-summary.ts <profile directory> [--top N]');
const top = Number(values.top);

const windows = readFileSync(join(dir, 'windows.jsonl'), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as WindowRecord);
// CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile
const files = readdirSync(dir)
  .map((file) => ({ file, parts: file.split('.') }))
  .filter(({ parts }) => parts[0] === 'CPU' && parts.at(-1) === 'cpuprofile')
  .map(({ file, parts }) => ({ file, pid: Number(parts[3]), threadId: Number(parts[4]) }));

/** One consumer program's windows, pooled over the rounds: their samples and CPU times add up. */
interface Pooled {
  windows: WindowRecord[];
  threads: Map<string, ThreadSummary>;
}

const pooled = new Map<string, Pooled>();
for (const window of windows) {
  const threads = files
    .filter((f) => f.pid === window.pid)
    .sort((a, b) => a.threadId - b.threadId)
    .map((f) => summarize(JSON.parse(readFileSync(join(dir, f.file), 'utf8')) as Profile, window, f.threadId))
    .filter((thread) => thread.samples > 0);
  matchProc(threads, window);
  const key = `${window.broker}, ${window.program}`;
  const pool: Pooled = pooled.get(key) ?? { windows: [], threads: new Map() };
  pooled.set(key, pool);
  pool.windows.push(window);
  for (const thread of threads) {
    const into = pool.threads.get(thread.name);
    if (into === undefined) pool.threads.set(thread.name, thread);
    else merge(into, thread);
  }
}

for (const [key, { windows, threads: byName }] of pooled) {
  const threads = [...byName.values()];
  const ms = windows.reduce((sum, w) => sum + (w.toUs - w.fromUs) / 1000, 0);
  const events = windows.reduce((sum, w) => sum + w.events, 0);
  const cpuOf = (names: (name: string) => boolean) =>
    windows.reduce((sum, w) => sum + w.threads.filter((t) => names(t.name)).reduce((s, t) => s + t.cpuMs, 0), 0);
  const perEvent = (cpuMs: number) => `${((1000 * cpuMs) / events).toFixed(0)} µs`;
  const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;
  const machine = windows.reduce((sum, w) => sum + w.machineCores * (w.toUs - w.fromUs), 0) / (1000 * ms);

  console.log(`\n## ${key} (${windows.length} window${windows.length === 1 ? '' : 's'}, pooled)`);
  console.log(`${events} events in ${(ms / 1000).toFixed(2)} s: ${Math.round((1000 * events) / ms)}/s`);
  const processMs = cpuOf(() => true);
  const brokerMs = windows.reduce((sum, w) => sum + w.brokerCpuMs, 0);
  console.log(
    `the machine's cores busy meanwhile: ${machine.toFixed(2)} of ${cores()} (this process ` +
      `${(processMs / ms).toFixed(2)}, the broker's server ${(brokerMs / ms).toFixed(2)}, ` +
      `the rest ${(machine - (processMs + brokerMs) / ms).toFixed(2)})`,
  );
  console.log(`the broker's server: ${perEvent(brokerMs)} CPU per event`);
  const profiler = (name: string) => name === 'v8:ProfEvntProc';
  const javascript = (name: string) => name === 'MainThread' || name === 'WorkerThread';
  console.log(
    `CPU per event of the whole process ${perEvent(processMs)}: its JavaScript threads ` +
      `${perEvent(cpuOf(javascript))}, the profiler's own threads ${perEvent(cpuOf(profiler))}, ` +
      `the rest (V8's GC and compiler threads, libuv) ${perEvent(cpuOf((name) => !javascript(name) && !profiler(name)))}\n`,
  );
  const header = ['', ...threads.map((t) => t.name)];
  const busyOf = (t: ThreadSummary) => t.samples - (t.byCategory.get('idle') ?? 0);
  const rows = [
    ['CPU in the window (/proc)', ...threads.map((t) => (t.cpuMs === undefined ? '?' : pct(t.cpuMs, ms)))],
    ['CPU per event', ...threads.map((t) => (t.cpuMs === undefined ? '?' : perEvent(t.cpuMs)))],
    ['busy in the profile', ...threads.map((t) => pct(busyOf(t), t.samples))],
  ];
  for (const category of CATEGORIES) {
    if (category === 'idle' || threads.every((t) => !t.byCategory.has(category))) continue;
    rows.push([
      `${category}, of busy`,
      ...threads.map((t) => (t.byCategory.has(category) ? pct(t.byCategory.get(category) ?? 0, busyOf(t)) : '')),
    ]);
  }
  console.log(markdownTable(header, rows));
  for (const thread of top > 0 ? threads : []) {
    console.log(`\n${thread.name}: the ${top} functions with the most samples of their own`);
    for (const [name, count] of [...thread.byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      console.log(`  ${pct(count, busyOf(thread)).padStart(4)}  ${name}`);
    }
  }
}

function merge(into: ThreadSummary, from: ThreadSummary): void {
  into.samples += from.samples;
  into.cpuMs = into.cpuMs === undefined || from.cpuMs === undefined ? undefined : into.cpuMs + from.cpuMs;
  for (const [category, n] of from.byCategory) into.byCategory.set(category, (into.byCategory.get(category) ?? 0) + n);
  for (const [name, n] of from.byFunction) into.byFunction.set(name, (into.byFunction.get(name) ?? 0) + n);
}

/** The samples of one thread's profile inside the window, by category and by leaf function. */
function summarize(profile: Profile, window: WindowRecord, threadId: number): ThreadSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackOf = new Map<number, CallFrame[]>();
  const stack = (id: number): CallFrame[] => {
    let frames = stackOf.get(id);
    if (frames === undefined) {
      frames = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at)?.callFrame;
        if (frame !== undefined) frames.push(frame);
      }
      stackOf.set(id, frames);
    }
    return frames;
  };

  const byCategory = new Map<Category, number>();
  const byFunction = new Map<string, number>();
  let samples = 0;
  let time = profile.startTime;
  for (const [i, id] of profile.samples.entries()) {
    time += profile.timeDeltas[i] ?? 0;
    if (time < window.fromUs || time > window.toUs) continue;
    const frames = stack(id);
    const category = categorize(frames);
    samples++;
    byCategory.set(category, (byCategory.get(category) ?? 0) + 1);
    const leaf = frames[0];
    const name = `${leaf?.functionName || '(anonymous)'} ${basename(leaf?.url ?? '')} [${category}]`;
    if (category !== 'idle') byFunction.set(name, (byFunction.get(name) ?? 0) + 1);
  }
  const eventWorker = profile.nodes.some((node) => node.callFrame.url.endsWith('/runtime/event-worker.js'));
  const name = threadId === 0 ? 'main thread' : eventWorker ? 'event worker' : `worker ${threadId}`;
  return { name, threadId, cpuMs: undefined, samples, byCategory, byFunction };
}

/**
 * Each profiled thread's CPU time from /proc: the main thread's by its name, the workers'
 * by the order they started (thread ids rise in both), when as many ran as were profiled.
 */
function matchProc(threads: ThreadSummary[], window: WindowRecord): void {
  const workers = window.threads.filter((t) => t.name === 'WorkerThread').sort((a, b) => a.tid - b.tid);
  const profiled = threads.filter((t) => t.threadId !== 0);
  for (const thread of threads) {
    if (thread.threadId === 0) thread.cpuMs = window.threads.find((t) => t.name === 'MainThread')?.cpuMs;
    else if (profiled.length === workers.length) thread.cpuMs = workers[profiled.indexOf(thread)]?.cpuMs;
  }
}
