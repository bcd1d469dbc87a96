import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { packagePath } from '../package-files.ts';
import { ComponentizeError } from './componentize-error.ts';
import { guestEntry } from './guest-entry.ts';
import { handlerGuardSource } from './handler-guard.ts';
import { installedVersion } from './installed-version.ts';
import { buildWithQuickJs, componentizeQjsVersion } from './quickjs-build.ts';
import { QUICKJS_PRELUDE } from './quickjs-prelude.ts';
import { openHostRoot } from './shim-preopens.ts';

export { ComponentizeError } from './componentize-error.ts';

/** spindle's own WIT (the `spindle:event` package and its vendored deps). */
export const DEFAULT_WIT_PATH = packagePath('wit');
export const DEFAULT_WORLD = 'spindle:event/transformer';

/**
 * The JavaScript engine compiled into the component: StarlingMonkey (SpiderMonkey, by
 * componentize-js; the web platform's APIs, ~12 MB) or QuickJS-ng (by componentize-qjs;
 * ~1.7 MB, less CPU per event and per fresh instance, fewer APIs: see the README).
 */
export type JsEngine = 'starlingmonkey' | 'quickjs';
export const JS_ENGINES: readonly JsEngine[] = ['starlingmonkey', 'quickjs'];
export const DEFAULT_ENGINE: JsEngine = 'starlingmonkey';
const TOOL: Record<JsEngine, string> = { starlingmonkey: 'componentize-js', quickjs: 'componentize-qjs' };

export interface ComponentizeOptions {
  /** The JavaScript or TypeScript (`.ts`, `.mts`: types erased) module to build; its exports implement the world. */
  source: string;
  /** Where to write the component. */
  out: string;
  /** WIT file or folder; defaults to spindle's `wit/`. */
  witPath?: string;
  /** Defaults to `spindle:event/transformer`. */
  worldName?: string;
  /** Wizer's cache (40–60 MB); defaults to `.spindle/cache` next to `out`. */
  cacheDir?: string;
  /** Build even when `out` is up to date. */
  force?: boolean;
  /**
   * Put spindle's handler guard in front of the guest (handler-guard.ts): results that
   * do not fit the event record and thrown Errors become errors that say what went wrong.
   * Defaults to true for the `spindle:event/transformer` world (set it only for worlds
   * that export `spindle:event/handler`); false builds the module exactly as written.
   */
  guard?: boolean;
  /** Defaults to DEFAULT_ENGINE. */
  engine?: JsEngine;
}

export interface ComponentizeResult {
  out: string;
  /** False when `out` was already up to date and nothing ran. */
  built: boolean;
  /** Content hash of the inputs (source, WIT, world, engine and its build tool's version). */
  inputs: string;
}

/**
 * Build a JavaScript or TypeScript guest into a WebAssembly component with
 * componentize-js (or componentize-qjs, `engine: 'quickjs'`), a TypeScript one with its
 * types erased (strip-types.ts) and a spindle:event one behind the handler guard
 * (handler-guard.ts). Skips the build when `out` was built from the same inputs
 * (recorded in `<out>.build.json`). Only the source file itself is hashed: a guest that
 * imports sibling modules needs `force` after changing them.
 */
export async function componentize(options: ComponentizeOptions): Promise<ComponentizeResult> {
  const source = resolve(options.source);
  const out = resolve(options.out);
  const witPath = resolve(options.witPath ?? DEFAULT_WIT_PATH);
  const worldName = options.worldName ?? DEFAULT_WORLD;
  const cacheDir = resolve(options.cacheDir ?? join(dirname(out), '.spindle', 'cache'));
  const record = `${out}.build.json`;

  const guard = options.guard ?? worldName === DEFAULT_WORLD;
  const engine = options.engine ?? DEFAULT_ENGINE;
  const inputs = await hashInputs(source, witPath, worldName, guard, engine);
  if (!options.force && (await upToDate(out, record, inputs))) return { out, built: false, inputs };

  const component = await build(source, { witPath, worldName, cacheDir, guard, engine });
  // Write next to the target and rename: a reader never sees half a component.
  const tmp = `${out}.${process.pid}.${Date.now()}.tmp`;
  try {
    await mkdir(dirname(out), { recursive: true });
    await writeFile(tmp, component);
    await rename(tmp, out);
  } catch (cause) {
    await rm(tmp, { force: true });
    throw new ComponentizeError(source, `cannot write ${out}`, { cause });
  }
  await writeFile(record, `${JSON.stringify({ inputs, source, witPath, worldName, guard, engine }, null, 2)}\n`);
  return { out, built: true, inputs };
}

interface BuildSettings {
  witPath: string;
  worldName: string;
  cacheDir: string;
  guard: boolean;
  engine: JsEngine;
}

async function build(source: string, settings: BuildSettings): Promise<Uint8Array> {
  const { witPath, worldName, engine } = settings;
  const entry = await guestEntry(source, settings.guard, engine === 'quickjs' ? QUICKJS_PRELUDE : undefined);
  try {
    return engine === 'quickjs'
      ? await buildWithQuickJs(entry.path, dirname(source), witPath, worldName)
      : await buildWithStarlingMonkey(entry.path, settings);
  } catch (cause) {
    const reason = entry.rename(message(cause));
    throw new ComponentizeError(
      source,
      `${TOOL[engine]} failed (world ${worldName}, WIT ${witPath}): ${reason}${syntaxErrors(source, entry.code)}`,
      { cause },
    );
  } finally {
    await entry.remove();
  }
}

async function buildWithStarlingMonkey(entry: string, settings: BuildSettings): Promise<Uint8Array> {
  // Loaded on demand: componentize-js is heavy and only builds need it.
  const [{ componentize: run }] = await Promise.all([import('@bytecodealliance/componentize-js'), openHostRoot()]);
  await mkdir(settings.cacheDir, { recursive: true });
  const { component } = await run({
    sourcePath: entry,
    witPath: settings.witPath,
    worldName: settings.worldName,
    // Wizer's wasmtime cache goes under cacheDir instead of ~/.cache.
    env: { XDG_CACHE_HOME: settings.cacheDir },
  });
  return component;
}

/**
 * componentize-js reports only how many syntax errors it found (or, for the guest behind
 * the guard, that initialisation failed); Node's own parser says where and what the
 * first one is. `code` is the guest as JavaScript (a TypeScript guest with its types
 * erased in place, so lines and columns are the .ts file's).
 */
function syntaxErrors(source: string, code: string): string {
  // Through stdin so that Node parses it as a module whatever the file's extension.
  const check = spawnSync(process.execPath, ['--input-type=module', '--check'], { input: code, encoding: 'utf8' });
  if (check.status === 0) return '';
  const lines = check.stderr
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('    at ') && !line.startsWith('Node.js v'))
    .map((line) => line.replace(/^\[stdin\]:/, `${source}:`));
  return lines.length === 0 ? '' : `\n${lines.join('\n')}`;
}

/**
 * The content hash `componentize` records: same hash, same component. Lets callers keep
 * content-addressed outputs (test fixtures) without running a build.
 */
export function inputsHash(
  options: Pick<ComponentizeOptions, 'source' | 'witPath' | 'worldName' | 'guard' | 'engine'>,
): Promise<string> {
  const worldName = options.worldName ?? DEFAULT_WORLD;
  return hashInputs(
    resolve(options.source),
    resolve(options.witPath ?? DEFAULT_WIT_PATH),
    worldName,
    options.guard ?? worldName === DEFAULT_WORLD,
    options.engine ?? DEFAULT_ENGINE,
  );
}

async function hashInputs(
  source: string,
  witPath: string,
  worldName: string,
  guard: boolean,
  engine: JsEngine,
): Promise<string> {
  const hash = createHash('sha256');
  // StarlingMonkey builds keep the hash they had before there was a choice of engine.
  if (engine === 'quickjs') {
    hash.update(`componentize-qjs ${await componentizeQjsVersion()}\0prelude\0${QUICKJS_PRELUDE}\0`);
  } else {
    hash.update(`componentize-js ${await componentizeJsVersion()}\0`);
  }
  hash.update(`world ${worldName}\0`);
  // Unguarded builds keep the hash they had before the guard existed.
  if (guard) hash.update(`guard\0${handlerGuardSource('guest', 'label')}\0`);
  try {
    hash.update(await readFile(source));
  } catch (cause) {
    throw new ComponentizeError(source, 'cannot read the source file', { cause });
  }
  let witFiles: string[];
  try {
    witFiles = await listFiles(witPath);
  } catch (cause) {
    throw new ComponentizeError(source, `cannot read the WIT at ${witPath}`, { cause });
  }
  for (const file of witFiles) {
    hash.update(`\0${relative(witPath, file)}\0`);
    hash.update(await readFile(file));
  }
  return hash.digest('hex');
}

async function upToDate(out: string, record: string, inputs: string): Promise<boolean> {
  try {
    const [recorded] = await Promise.all([readFile(record, 'utf8'), stat(out)]);
    return (JSON.parse(recorded) as { inputs?: unknown }).inputs === inputs;
  } catch {
    return false;
  }
}

/**
 * Every file under `path` (or `path` itself), sorted, so the hash is stable; but the
 * guest types under wit/types (.d.ts), which are derived from the WIT and change no build.
 */
async function listFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

export function componentizeJsVersion(): Promise<string> {
  return installedVersion('@bytecodealliance/componentize-js', '../package.json');
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
