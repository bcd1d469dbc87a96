import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Build examples/transform (a no-op when it is up to date), the component every broker bench runs. */
export function buildExample(): void {
  execFileSync(process.execPath, [join(root, 'bin/spindle.js'), 'build', '-f', join(root, 'examples/transform')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** A fresh app directory holding a copy of the example component as `transform.wasm`. */
export function appDirWithExample(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  copyFileSync(join(root, 'examples/transform/transform.wasm'), join(dir, 'transform.wasm'));
  return dir;
}
