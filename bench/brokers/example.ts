import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'smol-toml';
import { buildExampleComponent } from '../example-component.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const spindle = join(root, 'bin/spindle.js');

/** What each broker bench returns: spindle's rate and the plain program's, on `broker`. */
export interface BrokerBench<
  Broker extends string,
  Rate extends { eventsPerSecond: number } = { eventsPerSecond: number },
> {
  broker: Broker;
  spindle: Rate;
  plain: Rate;
}

let component: string | undefined;

/**
 * Build examples/transform (a no-op when it is up to date), the component every broker
 * bench runs; SPINDLE_BENCH_ENGINE picks the engine (bench/example-component.ts).
 */
export function buildExample(): void {
  component = buildExampleComponent();
}

/**
 * `spindle up`, as a child process, on an app named `bench-<name>` whose `transform`
 * component is a copy of the example (its `suffix` variable as in the example), with
 * these `[[trigger.*]]` tables and `[application]` settings.
 */
export function spawnSpindle(name: string, trigger: Record<string, object[]>, application: object = {}): ChildProcess {
  const dir = mkdtempSync(join(tmpdir(), `spindle-bench-${name}-`));
  copyFileSync(component ?? join(root, 'examples/transform/transform.wasm'), join(dir, 'transform.wasm'));
  const manifest = {
    spin_manifest_version: 2,
    application: { name: `bench-${name}`, ...application },
    variables: { suffix: { default: '.transformed' } },
    trigger,
    component: { transform: { source: 'transform.wasm', variables: { suffix: '{{ suffix }}' } } },
  };
  writeFileSync(join(dir, 'spindle.toml'), stringify(manifest));
  const up = [spindle, 'up', '-f', dir, '--listen', '127.0.0.1:0', '--log-format', 'json'];
  return spawn(process.execPath, up, { stdio: ['ignore', 'ignore', 'inherit'] });
}
