/**
 * The example component (examples/transform) that the HTTP target and broker benches run,
 * built when it is out of date: as its manifest builds it (`--engine quickjs`), or, with
 * `SPINDLE_BENCH_ENGINE=starlingmonkey` (or `quickjs`) in the environment, by `spindle
 * componentize --engine <that>` into examples/transform/.spindle/. Build progress goes to
 * stderr: stdout is the bench's figures.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_ENGINE } from '../src/build/componentize.ts';

const root = fileURLToPath(new URL('../', import.meta.url));
const spindle = join(root, 'bin/spindle.js');
const example = join(root, 'examples/transform');

/** Builds the example component for `SPINDLE_BENCH_ENGINE` (default the manifest's build) and returns its path. */
export function buildExampleComponent(): string {
  const engine = process.env.SPINDLE_BENCH_ENGINE;
  if (engine === undefined || engine === '') {
    execFileSync(process.execPath, [spindle, 'build', '-f', example], { stdio: ['ignore', 2, 2] });
    return join(example, 'transform.wasm');
  }
  const out = join(example, '.spindle', `transform-${engine}.wasm`);
  const args = ['componentize', join(example, 'transform.ts'), '-o', out, '--engine', engine];
  execFileSync(process.execPath, [spindle, ...args], { stdio: ['ignore', 2, 2] });
  return out;
}

/** The engine the benches build JavaScript components with: `SPINDLE_BENCH_ENGINE`, else the example manifest's. */
export function benchEngine(): string {
  const manifest = readFileSync(join(example, 'spindle.toml'), 'utf8');
  return process.env.SPINDLE_BENCH_ENGINE || (/--engine (\S+?)"?$/m.exec(manifest)?.[1] ?? DEFAULT_ENGINE);
}
