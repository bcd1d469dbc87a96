/**
 * One HTTP target under load: start it (a process that prints `Serving URL`), warm it up,
 * load it from a second process (wrk, else load.ts), stop it, print and return the figures.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { wrkLoad } from './wrk.ts';

const LOAD = fileURLToPath(new URL('./load.ts', import.meta.url));

export interface Figures {
  eventsPerSecond: number;
  p50ms: number;
  p99ms: number;
  failures: number;
}

export interface LoadOptions {
  load: string;
  concurrency: string;
  seconds: string;
  /** The target's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Size of the event's data in bytes (default: the example's small event). */
  bytes?: number;
  /** Requests per second at a constant rate; default: closed loop. */
  rate?: number;
}

/** One load against a URL for `seconds`: wrk, else load.ts. */
function load(url: string, options: LoadOptions, seconds: string): Figures {
  if (options.load === 'wrk') return wrkLoad(url, options.concurrency, seconds, options.bytes, options.rate);
  const extra = [
    ...(options.rate === undefined ? [] : ['--rate', String(options.rate)]),
    ...(options.bytes === undefined ? [] : ['--bytes', String(options.bytes)]),
  ];
  const args = [LOAD, url, options.concurrency, seconds, ...extra];
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }));
}

export async function serve(args: string[], env?: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'], env });
  let out = '';
  for await (const chunk of child.stdout ?? []) {
    out += chunk;
    const match = /Serving (\S+)/.exec(out);
    if (match?.[1]) return { url: match[1], child };
  }
  throw new Error(`${args.join(' ')} exited before serving:\n${out}`);
}

export async function measure(name: string, args: string[], options: LoadOptions): Promise<Figures> {
  const [figures] = await measureEach(name, args, options.env, [() => options]);
  return figures as Figures;
}

/**
 * Starts one target and runs the loads one after the other against it, each warmed up
 * (JIT, instance pool) by 2 s of the same load. A load is a function of the figures so
 * far, so that one can depend on another (half the saturating rate).
 */
export async function measureEach(
  name: string,
  args: string[],
  env: NodeJS.ProcessEnv | undefined,
  loads: ((before: Figures[]) => LoadOptions)[],
): Promise<Figures[]> {
  const { url, child } = await serve(args, env);
  const results: Figures[] = [];
  for (const next of loads) {
    const options = next(results);
    load(url, options, '2');
    const figures = load(url, options, options.seconds);
    const label = options.rate === undefined ? name : `${name} at ${options.rate}/s`;
    console.log(`${label.padEnd(26)} ${JSON.stringify(figures)}`);
    results.push(figures);
  }
  child.kill('SIGTERM');
  await once(child, 'exit');
  return results;
}

/**
 * Every target once per round, in order, for `options.rounds` rounds (so that a slower
 * moment of the machine falls on all of them): each round's figures and each target's medians.
 */
export async function measureRounds(
  targets: { name: string; args: string[] }[],
  options: LoadOptions & { rounds: string },
): Promise<{ rounds: Figures[][]; medians: Figures[] }> {
  const rounds: Figures[][] = [];
  for (let round = 0; round < Number(options.rounds); round++) {
    const figures = [];
    for (const { name, args } of targets) figures.push(await measure(name, args, options));
    rounds.push(figures);
  }
  const medians = targets.map((_, i) => medianFigures(rounds.map((figures) => figures[i] as Figures)));
  return { rounds, medians };
}

/** Each figure's median over rounds of the same measurement. */
export function medianFigures(rounds: Figures[]): Figures {
  const of = (key: keyof Figures) => median(rounds.map((figures) => figures[key]));
  const ms = (key: 'p50ms' | 'p99ms') => Number(of(key).toFixed(2));
  return {
    eventsPerSecond: Math.round(of('eventsPerSecond')),
    p50ms: ms('p50ms'),
    p99ms: ms('p99ms'),
    failures: of('failures'),
  };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2 : (sorted[Math.floor(mid)] ?? 0);
}
