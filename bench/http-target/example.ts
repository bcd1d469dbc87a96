/**
 * The example component (examples/transform) for the HTTP target benches: built once
 * (bench/example-component.ts: SPINDLE_BENCH_ENGINE picks the engine), then copied with
 * the instance mode and `threads` a bench wants.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildExampleComponent } from '../example-component.ts';

export const root = fileURLToPath(new URL('../../', import.meta.url));
const example = join(root, 'examples/transform');
const spindle = join(root, 'bin/spindle.js');

/** The plain express target doing the same transform (the command's arguments). */
export const expressTarget = [join(root, 'bench/http-target/baseline.ts')];

let component: string | undefined;

/** Builds the example (a no-op when up to date), its progress on stderr: stdout is the bench's figures. */
export function buildExample(): void {
  component = buildExampleComponent();
}

/** A copy of the example whose component uses the given instance mode (and `threads`, if given). */
export function exampleWith(instances: 'reuse' | 'fresh', threads?: number): string {
  const dir = mkdtempSync(join(tmpdir(), `spindle-bench-${instances}-`));
  const threadsLine = threads === undefined ? '' : `threads = ${threads}\n`;
  copyFileSync(component ?? join(example, 'transform.wasm'), join(dir, 'transform.wasm'));
  const manifest = readFileSync(join(example, 'spindle.toml'), 'utf8')
    .replace(/\[component\.transform\.build\][\s\S]*$/, '')
    .replace('[component.transform]\n', `[component.transform]\ninstances = "${instances}"\n${threadsLine}`);
  writeFileSync(join(dir, 'spindle.toml'), manifest);
  return dir;
}

/** `spindle up` of an app directory, on a free port (the command's arguments). */
export const spindleUp = (dir: string) => [spindle, 'up', '-f', dir, '--listen', '127.0.0.1:0', '--log-format', 'json'];
