/**
 * Runs one bench script under several Node versions, one after the other, and prints
 * their outputs side by side with the load average around each run. Every ratio a
 * bench prints (spindle against the plain program) is taken within its own run, so it
 * does not mix Node versions or moments of a shared machine.
 * The script and what it spawns (spindle, the baselines) run on the chosen Node: its
 * directory comes first on PATH, and the benches spawn `process.execPath`.
 * Usage: node bench/compare-nodes.ts [--node 24,22] <bench script> [its arguments]
 */
import { execFileSync, spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { nodeBinary } from './node-binaries.ts';

const argv = process.argv.slice(2);
const versionsArg = argv[0] === '--node' ? argv.splice(0, 2)[1] : '24,22';
const [script, ...scriptArgs] = argv;
if (!script || !versionsArg) {
  console.error('usage: node bench/compare-nodes.ts [--node 24,22] <bench script> [its arguments]');
  process.exit(2);
}
const majors = versionsArg.split(',').map(Number);

const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

interface Run {
  title: string;
  lines: string[];
}

/** Runs the script on one Node binary, echoing its output as it comes, and keeps the output. */
async function runOn(major: number): Promise<Run> {
  const binary = nodeBinary(major);
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  const before = load();
  const child = spawn(binary, [resolve(script as string), ...scriptArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, PATH: `${dirname(binary)}:${process.env.PATH ?? ''}` },
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  for await (const chunk of child.stdout) {
    out += chunk;
    process.stdout.write(chunk);
  }
  const code = await new Promise<number | null>((done) => child.once('close', done));
  // A failed run still shows beside the others, with what it printed; the exit code tells.
  if (code !== 0) process.exitCode = 1;
  return {
    title: `Node ${version}, load average before ${before}, after ${load()}${code === 0 ? '' : `, FAILED (exit ${code})`}`,
    lines: out.trimEnd().split('\n'),
  };
}

const runs: Run[] = [];
for (const major of majors) {
  console.log(`\n=== Node ${major} ===`);
  runs.push(await runOn(major));
}

const widths = runs.map((run) => Math.max(run.title.length, ...run.lines.map((line) => line.length)));
const row = (cells: string[]) =>
  cells
    .map((cell, i) => cell.padEnd(widths[i] ?? 0))
    .join(' │ ')
    .trimEnd();
const height = Math.max(...runs.map((run) => run.lines.length));
console.log(`\n${row(runs.map((run) => run.title))}`);
console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
for (let i = 0; i < height; i++) console.log(row(runs.map((run) => run.lines[i] ?? '')));
