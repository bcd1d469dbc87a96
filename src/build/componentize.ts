import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SpindleError } from '../errors.ts';
import { packagePath } from '../package-files.ts';

/** spindle's own WIT (the `spindle:event` package and its vendored deps). */
export const DEFAULT_WIT_PATH = packagePath('wit');
export const DEFAULT_WORLD = 'spindle:event/transformer';

export interface ComponentizeOptions {
  /** The JavaScript module to build (its exports implement the world). */
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
}

export interface ComponentizeResult {
  out: string;
  /** False when `out` was already up to date and nothing ran. */
  built: boolean;
  /** Content hash of the inputs (source, WIT, world, componentize-js version). */
  inputs: string;
}

/** A guest that could not be built: names the file and why. */
export class ComponentizeError extends SpindleError {
  override name = 'ComponentizeError';
  readonly file: string;

  constructor(file: string, reason: string, options: { cause?: unknown } = {}) {
    super(`componentize ${file}: ${reason}`, options);
    this.file = file;
  }
}

/**
 * Build a JavaScript guest into a WebAssembly component with componentize-js. Skips the
 * build when `out` was built from the same inputs (recorded in `<out>.build.json`).
 * Only the source file itself is hashed: a guest that imports sibling modules needs
 * `force` after changing them.
 */
export async function componentize(options: ComponentizeOptions): Promise<ComponentizeResult> {
  const source = resolve(options.source);
  const out = resolve(options.out);
  const witPath = resolve(options.witPath ?? DEFAULT_WIT_PATH);
  const worldName = options.worldName ?? DEFAULT_WORLD;
  const cacheDir = resolve(options.cacheDir ?? join(dirname(out), '.spindle', 'cache'));
  const record = `${out}.build.json`;

  const inputs = await hashInputs(source, witPath, worldName);
  if (!options.force && (await upToDate(out, record, inputs))) return { out, built: false, inputs };

  const component = await build(source, witPath, worldName, cacheDir);
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
  await writeFile(record, `${JSON.stringify({ inputs, source, witPath, worldName }, null, 2)}\n`);
  return { out, built: true, inputs };
}

async function build(source: string, witPath: string, worldName: string, cacheDir: string): Promise<Uint8Array> {
  // Loaded on demand: componentize-js is heavy and only builds need it.
  const [{ componentize: run }, shimFilesystem] = await Promise.all([
    import('@bytecodealliance/componentize-js'),
    import('@bytecodealliance/preview2-shim/filesystem'),
  ]);
  // Typed by hand: the package's `types` condition resolves to the browser declarations.
  const { _setPreopens } = shimFilesystem as unknown as { _setPreopens(preopens: Record<string, string>): void };
  // preview2-shim 0.26 no longer pre-opens '/', and componentize-js reads the WIT and the
  // source through it (WASM-NOTES). This sets the shim's process-wide default preopens;
  // spindle's runtime never uses those defaults (each component gets its own), so
  // widening them here does not leak the host filesystem into guests.
  _setPreopens({ '/': '/' });
  await mkdir(cacheDir, { recursive: true });
  try {
    const { component } = await run({
      sourcePath: source,
      witPath,
      worldName,
      // Wizer's wasmtime cache goes under cacheDir instead of ~/.cache.
      env: { XDG_CACHE_HOME: cacheDir },
    });
    return component;
  } catch (cause) {
    const details = message(cause).startsWith('failed to parse JS source') ? syntaxErrors(source) : '';
    throw new ComponentizeError(
      source,
      `componentize-js failed (world ${worldName}, WIT ${witPath}): ${message(cause)}${details}`,
      { cause },
    );
  }
}

/**
 * componentize-js reports only how many syntax errors it found; Node's own parser says
 * where and what the first one is.
 */
function syntaxErrors(source: string): string {
  let code: string;
  try {
    code = readFileSync(source, 'utf8');
  } catch {
    return '';
  }
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
export function inputsHash(options: Pick<ComponentizeOptions, 'source' | 'witPath' | 'worldName'>): Promise<string> {
  return hashInputs(
    resolve(options.source),
    resolve(options.witPath ?? DEFAULT_WIT_PATH),
    options.worldName ?? DEFAULT_WORLD,
  );
}

async function hashInputs(source: string, witPath: string, worldName: string): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`componentize-js ${await componentizeJsVersion()}\0world ${worldName}\0`);
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

/** Every file under `path` (or `path` itself), sorted, so the hash is stable. */
async function listFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return [path];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

let cachedVersion: string | undefined;

export async function componentizeJsVersion(): Promise<string> {
  if (cachedVersion === undefined) {
    // The package's exports map hides package.json; find it from the entry point.
    const entry = fileURLToPath(import.meta.resolve('@bytecodealliance/componentize-js'));
    const pkg = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
