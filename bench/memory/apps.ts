/**
 * The apps bench/memory measures: one, and three distinct, JavaScript components (the
 * example transform with a different suffix baked in each, so each has its own module
 * bytes, as three different components do), each behind its own CloudEvents route; built
 * with the example's engine, or `SPINDLE_BENCH_ENGINE`.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchEngine } from '../example-component.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const spindle = join(root, 'bin/spindle.js');

/**
 * Write (and build: componentize skips a component whose inputs did not change) an app
 * with `count` components named t1..tN, routed at /t1../tN; returns its directory.
 */
export function appWith(count: number, threads?: number): string {
  const engine = benchEngine();
  const dir = join(tmpdir(), `spindle-bench-memory-${engine}-${count}${threads === undefined ? '' : `-t${threads}`}`);
  mkdirSync(dir, { recursive: true });
  const source = readFileSync(join(root, 'examples/transform/transform.ts'), 'utf8');
  let manifest = 'spin_manifest_version = 2\n[application]\nname = "memory-bench"\n';
  for (let n = 1; n <= count; n++) {
    const id = `t${n}`;
    writeFileSync(join(dir, `${id}.ts`), source.replace("get('suffix')", `'.${id}'`));
    manifest +=
      `[[trigger.cloudevents]]\nroute = "/${id}"\ncomponent = "${id}"\n` +
      `[component.${id}]\nsource = "${id}.wasm"\n${threads === undefined ? '' : `threads = ${threads}\n`}` +
      `[component.${id}.build]\ncommand = "node ${spindle} componentize ${id}.ts -o ${id}.wasm --engine ${engine}"\n`;
  }
  writeFileSync(join(dir, 'spindle.toml'), manifest);
  execFileSync(process.execPath, [spindle, 'build', '-f', dir], { stdio: 'inherit' });
  return dir;
}
