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
  const { url, child } = await serve(args, options.env);
  const load = (seconds: string): Figures =>
    options.load === 'wrk'
      ? wrkLoad(url, options.concurrency, seconds)
      : JSON.parse(execFileSync(process.execPath, [LOAD, url, options.concurrency, seconds], { encoding: 'utf8' }));
  load('2'); // warm-up: JIT, instance pool
  const figures = load(options.seconds);
  child.kill('SIGTERM');
  await once(child, 'exit');
  console.log(`${name.padEnd(26)} ${JSON.stringify(figures)}`);
  return figures;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(xs: number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  return Number.isInteger(mid) ? ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2 : (sorted[Math.floor(mid)] ?? 0);
}
