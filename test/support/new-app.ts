/**
 * An app made by `spindle new` and built by `spindle build`, as a user makes one: for the
 * tests of the templates.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { expectNoProcessWarnings } from './no-process-warnings.ts';
import { runSpindle } from './spindle-process.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** One engine cache for every build of a new app, shared with the fixtures' builds: componentize is slow cold. */
export const BUILD_CACHE = join(ROOT, 'node_modules', '.cache', 'spindle-fixtures');

/** `spindle new TEMPLATE <tmp>/<name>`: the app's directory (its name is the app's and its component's). */
export async function newApp(template: string, name = 'my-app'): Promise<string> {
  const dir = join(mkdtempSync(join(tmpdir(), 'spindle-new-')), name);
  const made = await runSpindle(['new', template, dir]);
  expect(made.stderr).toBe('');
  expect(made.code).toBe(0);
  return dir;
}

/** `spindle build` in the app's directory, which builds its one component, named as the directory. */
export async function buildNewApp(dir: string): Promise<void> {
  const built = await runSpindle(['build'], { cwd: dir, env: { SPINDLE_CACHE_DIR: BUILD_CACHE } });
  expect(built.code, built.stderr).toBe(0);
  expectNoProcessWarnings(built.stdout + built.stderr);
  const name = basename(dir);
  expect(built.stdout).toMatch(
    new RegExp(`Building component ${name} .* \\(\\d+\\.\\d s\\)\\nFinished building ${name} in \\d+\\.\\d s`),
  );
}
