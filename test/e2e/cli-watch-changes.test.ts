/**
 * `spindle watch` as a developer sees it: which edits rebuild and restart the app, and
 * which do not. The builds here are cheap: a script that copies the prebuilt component
 * named in a `pick.txt` (one of two guests that answer differently) to the app's .wasm,
 * and writes `generated.txt`, an output the watch globs match, the same each time.
 * An edit that must not count is followed by one that must (a "sentinel"); had the
 * first counted, its own rebuild or its name would show before the sentinel's.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanupAfterEach } from '../support/cleanups.ts';
import { buildFixture } from '../support/fixtures.ts';
import { manifestDir, writeFiles } from '../support/manifest-dir.ts';
import { BUILD_CACHE } from '../support/new-app.ts';
import { postOnce } from '../support/post-once.ts';
import { spawnUntil } from '../support/spawn-until.ts';
import { buildExampleTransform, SPINDLE_BIN } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';
import { watchedAppManifest } from '../support/watched-app.ts';

/** `node build.mjs PICK OUT`: copy the component PICK names to OUT; fail clearly when there is none. */
const BUILD_SCRIPT = `import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
const [pickFile, out] = process.argv.slice(2);
const pick = readFileSync(pickFile, 'utf8').trim();
writeFileSync(join(dirname(pickFile), 'generated.txt'), 'written by every build\\n');
if (!existsSync(pick)) {
  console.error('build.mjs: no component at ' + pick);
  process.exit(1);
}
copyFileSync(pick, out);
`;

/** The two versions: what each answers to a `test.echo` event. */
const V1_TYPE = 'test.echo';
const V2_TYPE = 'test.echo.v2';
let v1: string; // behaviours: echoes the event
let v2: string; // examples/transform: the type with the suffix `.v2`

beforeAll(async () => {
  [v1, v2] = await Promise.all([buildFixture('behaviours'), buildExampleTransform()]);
}, 240_000);

const cleanups = cleanupAfterEach();

const node = JSON.stringify(process.execPath);

/** The build table of `w`: `build.mjs` in `workdir` (the app's directory unless told), watching `watch`. */
function buildTable({ workdir, pick, out, watch }: { workdir?: string; pick: string; out: string; watch: string[] }) {
  const command = `${node} build.mjs ${pick} ${out}`;
  const table = `${workdir === undefined ? '' : `workdir = "${workdir}"\n`}command = ${JSON.stringify(command)}
watch = ${JSON.stringify(watch)}`;
  return { command, table };
}

/** The usual layout: the build script, sources under `src/` (watched: `src/**\/*.txt`) and `p.wasm`, all v1. */
async function appDir(): Promise<{ dir: string; command: string }> {
  const { command, table } = buildTable({ pick: 'src/pick.txt', out: 'w.wasm', watch: ['src/**/*.txt'] });
  const dir = await manifestDir({
    'spindle.toml': watchedAppManifest(table),
    'build.mjs': BUILD_SCRIPT,
    'src/pick.txt': v1,
    'p.wasm': await readFile(v1),
  });
  return { dir, command };
}

/** `spindle watch -f DIR`, once it watches: its output and URL, and how many times it has served so far. */
async function watchApp(dir: string) {
  const watch = await spawnUntil(process.execPath, [SPINDLE_BIN, 'watch', '-f', dir, '--listen', '127.0.0.1:0'], {
    env: { SPINDLE_CACHE_DIR: BUILD_CACHE },
    until: /^Watching .* for changes$/m,
    timeoutMs: 120_000,
  });
  cleanups.push(() => watch.stop('SIGKILL'));
  const output = watch.output;
  const url = new URL(/Serving (\S+)/.exec(output())?.[1] ?? '');
  const count = (pattern: RegExp) => output().match(pattern)?.length ?? 0;
  return {
    output,
    served: () => count(/^Serving /gm),
    /** Builds finished (each prints its line when it starts, and again with the seconds it took). */
    builds: () => count(/^Building component w .*\(\d+\.\d s\)$/gm),
    changes: () => output().match(/^Changed: .*$/gm) ?? [],
    /** The type the app answers a `test.echo` event with at `path`. */
    answer: async (path = '/') => {
      const reply = await postOnce(new URL(path, url), {
        id: 'e',
        type: 'test.echo',
        body: '{}',
        contentType: 'application/json',
      });
      expect(reply.status).toBe(200);
      return reply.type;
    },
    /** Wait for the `n`th "Serving" banner: the app restarted. */
    servedTimes: (n: number) =>
      waitFor(() => count(/^Serving /gm) >= n, { what: `restart ${n - 1}`, timeoutMs: 60_000 }),
  };
}

describe('spindle watch: what an edit does', () => {
  it('rebuilds once for a burst of writes, and not for files outside the globs nor for its own outputs', async () => {
    const { dir } = await appDir();
    const app = await watchApp(dir);
    expect(await app.answer()).toBe(V1_TYPE);
    expect(app.builds()).toBe(1);

    // Outside the globs, then a burst: the sources and the pick, written at once.
    await writeFiles(dir, {
      'notes.md': 'not a source',
      'src/data.json': '{}',
      'src/a.txt': 'a',
      'src/b.txt': 'b',
      'src/pick.txt': v2,
    });
    await app.servedTimes(2);
    expect(await app.answer()).toBe(V2_TYPE);
    expect(app.builds()).toBe(2);
    const [burst] = app.changes();
    expect(burst?.replace('Changed: ', '').split(', ').sort()).toEqual(['src/a.txt', 'src/b.txt', 'src/pick.txt']);

    // The build wrote src/generated.txt again (matched by the globs, the same bytes): no
    // round of its own before this sentinel's.
    await writeFiles(dir, { 'src/pick.txt': v1 });
    await app.servedTimes(3);
    expect(await app.answer()).toBe(V1_TYPE);
    expect(app.changes()).toEqual([burst, 'Changed: src/pick.txt']);
    expect(app.builds()).toBe(3);
    expect(app.served()).toBe(3);
  }, 240_000);

  it('keeps the old app serving when a build fails, saying why, then serves the fixed build', async () => {
    const { dir, command } = await appDir();
    const app = await watchApp(dir);
    expect(await app.answer()).toBe(V1_TYPE);

    await writeFiles(dir, { 'src/pick.txt': join(dir, 'missing.wasm') });
    await waitFor(() => app.output().includes('Still serving the app as it was.'), { what: 'the failed build' });
    expect(app.output()).toContain(`build.mjs: no component at ${join(dir, 'missing.wasm')}`);
    expect(app.output()).toMatch(/^Building component w with `.*`: failed \(\d+\.\d s\)$/m);
    expect(app.output()).toContain(
      `Error: ${join(dir, 'spindle.toml')}: [component.w.build] command \`${command}\` failed with exit code 1\nStill serving the app as it was.`,
    );
    expect(await app.answer()).toBe(V1_TYPE);
    expect(app.served()).toBe(1);

    await writeFiles(dir, { 'src/pick.txt': v2 });
    await app.servedTimes(2);
    expect(await app.answer()).toBe(V2_TYPE);
  }, 240_000);

  it('reloads a component without a build command when its .wasm changes, building nothing', async () => {
    const { dir } = await appDir();
    const app = await watchApp(dir);
    expect(await app.answer('/p')).toBe(V1_TYPE);

    await writeFiles(dir, { 'p.wasm': await readFile(v2) });
    await app.servedTimes(2);
    expect(await app.answer('/p')).toBe(V2_TYPE);
    expect(app.changes()).toEqual(['Changed: p.wasm']);
    expect(app.builds()).toBe(1);
  }, 240_000);

  it('watches a build workdir and a prebuilt .wasm outside the app directory', async () => {
    const { table } = buildTable({ workdir: '../guest', pick: 'pick.txt', out: '../app/w.wasm', watch: ['*.txt'] });
    const root = await manifestDir({
      'app/spindle.toml': watchedAppManifest(table, '../prebuilt/p.wasm'),
      'guest/build.mjs': BUILD_SCRIPT,
      'guest/pick.txt': v1,
      'prebuilt/p.wasm': await readFile(v1),
    });
    const app = await watchApp(join(root, 'app'));
    expect(app.output()).toContain(`Watching ${join(root, 'app')} and ../guest, ../prebuilt/p.wasm for changes`);
    expect(await app.answer()).toBe(V1_TYPE);
    expect(await app.answer('/p')).toBe(V1_TYPE);

    await writeFiles(root, { 'guest/pick.txt': v2 });
    await app.servedTimes(2);
    expect(await app.answer()).toBe(V2_TYPE);
    await writeFiles(root, { 'prebuilt/p.wasm': await readFile(v2) });
    await app.servedTimes(3);
    expect(await app.answer('/p')).toBe(V2_TYPE);
    expect(app.changes()).toEqual(['Changed: ../guest/pick.txt', 'Changed: ../prebuilt/p.wasm']);
    expect(app.builds()).toBe(2);
  }, 240_000);
});
