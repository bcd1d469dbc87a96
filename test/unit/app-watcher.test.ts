/**
 * AppWatcher on real files with a short debounce: which writes call for a rebuild or a
 * restart, and which do not. A change that must not count is followed by one that must
 * (a "sentinel"): were the first counted, it would be reported with the sentinel, or
 * before it, instead of the sentinel alone.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadApp } from '../../src/app/load.ts';
import { AppWatcher, type Change } from '../../src/watch/app-watcher.ts';
import { manifestDir, writeFiles } from '../support/manifest-dir.ts';
import { waitFor } from '../support/wait.ts';
import { watchedAppManifest } from '../support/watched-app.ts';

const DEBOUNCE_MS = 150;
const watchers: AppWatcher[] = [];
afterEach(async () => {
  await Promise.all(watchers.splice(0).map((w) => w.close()));
});

/** The watched app with `w` built by the lines given (its command does nothing here). */
function manifest(build: string, prebuilt?: string): string {
  return watchedAppManifest(`command = "true"\n${build}`, prebuilt);
}

/** Watch the app in `<root>/app`; the changes it reports, in order. */
async function watchApp(root: string): Promise<{ changes: Change[]; watcher: AppWatcher }> {
  const changes: Change[] = [];
  const watcher = new AppWatcher(
    await loadApp(join(root, 'app'), { checkSources: false }),
    (change) => changes.push(change),
    { debounceMs: DEBOUNCE_MS },
  );
  watchers.push(watcher);
  await watcher.ready();
  return { changes, watcher };
}

/** Wait for the `n`th change; it, with paths relative to `root`. */
async function nthChange(changes: Change[], n: number, root: string) {
  await waitFor(() => changes.length >= n, { what: `change ${n}` });
  expect(changes).toHaveLength(n);
  const change = changes[n - 1] as Change;
  return { ...change, rebuild: [...change.rebuild], files: change.files.map((f) => f.slice(root.length + 1)) };
}

describe('AppWatcher', () => {
  it('reports a burst of writes to several sources as one change', async () => {
    const root = await manifestDir({ 'app/spindle.toml': manifest('watch = ["src/**/*.js"]'), 'app/src/a.js': '1' });
    const { changes } = await watchApp(root);
    await writeFiles(root, { 'app/src/a.js': '2', 'app/src/b.js': '1' });
    await writeFiles(root, { 'app/src/a.js': '3' });
    const burst = await nthChange(changes, 1, root);
    expect(burst.rebuild).toEqual(['w']);
    expect(burst.files.sort()).toEqual(['app/src/a.js', 'app/src/b.js']);

    await writeFiles(root, { 'app/src/b.js': '2' });
    expect(await nthChange(changes, 2, root)).toEqual({ manifest: false, rebuild: ['w'], files: ['app/src/b.js'] });
  });

  it('ignores files outside the watch globs, and the build outputs it knows', async () => {
    const root = await manifestDir({ 'app/spindle.toml': manifest('watch = ["src/**/*.js"]') });
    const { changes } = await watchApp(root);
    await writeFiles(root, {
      'app/notes.md': 'x',
      'app/src/data.json': '{}',
      'app/w.wasm': 'built',
      'app/w.wasm.build.json': '{}',
      'app/.spindle/cache/x.js': 'x',
      'app/node_modules/dep/index.js': 'x',
      'app/src/guest.js': 'sentinel', // last
    });
    expect(await nthChange(changes, 1, root)).toEqual({ manifest: false, rebuild: ['w'], files: ['app/src/guest.js'] });
  });

  it('does not count a file written again with the bytes it had: a build output under the globs cannot loop', async () => {
    const root = await manifestDir({
      'app/spindle.toml': manifest('watch = ["src/**/*.js"]'),
      'app/src/generated.js': 'export const x = 1;',
    });
    const { changes } = await watchApp(root);
    await writeFiles(root, { 'app/src/generated.js': 'export const x = 1;', 'app/src/guest.js': 'sentinel' });
    expect((await nthChange(changes, 1, root)).files).toEqual(['app/src/guest.js']);

    await writeFiles(root, { 'app/src/generated.js': 'export const x = 2;' });
    expect((await nthChange(changes, 2, root)).files).toEqual(['app/src/generated.js']);
  });

  it('restarts for the manifest and for the .wasm of a component without a build command', async () => {
    const root = await manifestDir({ 'app/spindle.toml': manifest('watch = ["src/**/*.js"]'), 'app/p.wasm': 'v1' });
    const { changes } = await watchApp(root);
    await writeFiles(root, { 'app/p.wasm': 'v2' });
    expect(await nthChange(changes, 1, root)).toEqual({ manifest: false, rebuild: [], files: ['app/p.wasm'] });
    await writeFiles(root, { 'app/spindle.toml': `${manifest('watch = ["src/**/*.js"]')}\n` });
    expect(await nthChange(changes, 2, root)).toEqual({ manifest: true, rebuild: [], files: ['app/spindle.toml'] });
  });

  it('watches a workdir, a glob and a prebuilt .wasm that lie outside the app directory', async () => {
    const root = await manifestDir({
      'app/spindle.toml': manifest(
        'workdir = "../guest"\nwatch = ["src/*.js", "../shared/**/*.js"]',
        '../prebuilt/p.wasm',
      ),
      'guest/src/index.js': '1',
      'shared/lib/util.js': '1',
      'prebuilt/p.wasm': 'v1',
    });
    const { changes } = await watchApp(root);
    await writeFiles(root, { 'guest/src/index.js': '2' });
    expect(await nthChange(changes, 1, root)).toEqual({
      manifest: false,
      rebuild: ['w'],
      files: ['guest/src/index.js'],
    });
    await writeFiles(root, { 'shared/lib/util.js': '2' });
    expect((await nthChange(changes, 2, root)).files).toEqual(['shared/lib/util.js']);
    await writeFiles(root, { 'prebuilt/p.wasm': 'v2' });
    expect(await nthChange(changes, 3, root)).toEqual({ manifest: false, rebuild: [], files: ['prebuilt/p.wasm'] });
  });

  it('after an update to another workdir, watches the new one and leaves the old', async () => {
    const root = await manifestDir({
      'app/spindle.toml': manifest('workdir = "../one"\nwatch = ["*.js"]'),
      'one/a.js': '1',
      'two/a.js': '1',
    });
    const { changes, watcher } = await watchApp(root);
    await writeFiles(root, { 'app/spindle.toml': manifest('workdir = "../two"\nwatch = ["*.js"]') });
    await watcher.update(await loadApp(join(root, 'app'), { checkSources: false }));
    expect((await nthChange(changes, 1, root)).manifest).toBe(true);

    await writeFiles(root, { 'one/a.js': '2', 'two/a.js': '2' });
    expect(await nthChange(changes, 2, root)).toEqual({ manifest: false, rebuild: ['w'], files: ['two/a.js'] });
  });
});
