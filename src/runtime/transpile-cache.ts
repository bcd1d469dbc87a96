import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type TranspileOptions, type TranspileOutput, transpileInChild } from './transpile-process.ts';
import type { ExportEntry } from './worlds.ts';

/** A component transpiled by jco, as stored in the cache. */
export interface Transpiled {
  /** The cache directory holding the glue module and the core modules. */
  dir: string;
  /** Absolute path of the generated ES module (exports `instantiate`). */
  glue: string;
  /** File names (in `dir`) of the core wasm modules the glue asks for. */
  coreModules: string[];
  exports: ExportEntry[];
  imports: string[];
  /** True when served from the cache: jco did not run. */
  cached: boolean;
}

interface Meta {
  glue: string;
  coreModules: string[];
  exports: ExportEntry[];
  imports: string[];
}

export type TranspileFn = (bytes: Uint8Array, options: TranspileOptions) => Promise<TranspileOutput>;

const META = 'spindle-meta.json';

/**
 * Prepended to the glue. At every instantiation jco 1.35's glue wraps three core exports
 * with JSPI's `WebAssembly.promising` inside try/catch, falling back to the plain export;
 * the wrappers serve only JSPI async mode, which spindle does not use. Node 22 has no
 * `promising`, so each instantiation threw three TypeErrors, and each throw made V8
 * re-parse the 20k-line generator for source positions: ~5 ms apiece, 15 of the ~19 ms
 * a fresh StarlingMonkey instance took (measured with --cpu-prof). This module-scoped
 * `WebAssembly` makes `promising` the identity: no throw, same fallback value.
 */
const GLUE_PRELUDE =
  'const WebAssembly = Object.create(globalThis.WebAssembly, { promising: { value: (fn) => fn } });\n';
/**
 * jco 1.35's glue logs through `_debugLog`, which reads `process.env.JCO_DEBUG` (a call
 * into C++) at every one of ~300 call sites on the hot path: 7% of a reused instance's
 * CPU under load (--cpu-prof). Read the variable once, when the glue is instantiated.
 */
const DEBUG_LOG =
  /const _debugLog = \(\.\.\.args\) => \{\n\s*if \(!globalThis\?\.process\?\.env\?\.JCO_DEBUG\) \{ return; \}\n\s*console\.debug\(\.\.\.args\);\n\s*\};/;
const DEBUG_LOG_ONCE =
  'const _debugLog = globalThis?.process?.env?.JCO_DEBUG ? (...args) => console.debug(...args) : () => {};';

/** spindle's edits to jco's generated glue; each is a no-op when jco's output changes shape. */
function patchGlue(glue: Buffer): Buffer {
  return Buffer.from(GLUE_PRELUDE + glue.toString('utf8').replace(DEBUG_LOG, DEBUG_LOG_ONCE));
}

/** Bumped when what spindle writes into the cache changes (e.g. GLUE_PRELUDE). */
const CACHE_FORMAT = 6;

/**
 * The glue is an ES module wherever the cache lies: `.mjs` keeps Node from applying the
 * nearest package.json (a user's `"type": "commonjs"` made `export` a syntax error; no
 * `"type"` at all made every start print MODULE_TYPELESS_PACKAGE_JSON).
 */
const GLUE_FILE = 'component.mjs';

/**
 * Transpile `bytes` with jco once per content: the output is kept under
 * `<cacheDir>/jco-<version>-<format>/<sha256 of the bytes>/`, so a restart (or a second app using
 * the same component) reuses it. Safe when several processes fill the cache at once: each
 * writes a private directory and renames it into place.
 */
export async function transpileCached(
  bytes: Uint8Array,
  cacheDir: string,
  options: { transpile?: TranspileFn } = {},
): Promise<Transpiled> {
  const digest = createHash('sha256').update(bytes).digest('hex');
  const dir = join(cacheDir, `jco-${await jcoVersion()}-${CACHE_FORMAT}`, digest);
  const hit = await readMeta(dir);
  if (hit !== undefined) return { ...resolveMeta(dir, hit), cached: true };

  const transpile = options.transpile ?? transpileInChild;
  // 'hybrid': host functions with a core form skip the glue (core-abi.ts).
  const output = await transpile(bytes, {
    name: 'component',
    instantiation: 'async',
    noTypescript: true,
    importBindings: 'hybrid',
  });
  const meta: Meta = {
    glue: GLUE_FILE,
    coreModules: Object.keys(output.files).filter((name) => name.endsWith('.wasm')),
    exports: output.exports,
    imports: output.imports,
  };
  const tmp = `${dir}.${randomUUID()}.tmp`;
  await mkdir(tmp, { recursive: true });
  try {
    for (const [name, content] of Object.entries(output.files)) {
      if (name.endsWith('.d.ts')) continue;
      const isGlue = name === 'component.js';
      const file = join(tmp, isGlue ? GLUE_FILE : name);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, isGlue ? patchGlue(Buffer.from(content)) : content);
    }
    // Written last: a directory with its meta file is complete.
    await writeFile(join(tmp, META), JSON.stringify(meta));
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    // Another process renamed the same content into place first: use theirs.
    if ((await readMeta(dir)) === undefined) throw error;
  }
  return { ...resolveMeta(dir, meta), cached: false };
}

function resolveMeta(dir: string, meta: Meta): Omit<Transpiled, 'cached'> {
  return {
    dir,
    glue: join(dir, meta.glue),
    coreModules: meta.coreModules,
    exports: meta.exports,
    imports: meta.imports,
  };
}

async function readMeta(dir: string): Promise<Meta | undefined> {
  try {
    return JSON.parse(await readFile(join(dir, META), 'utf8')) as Meta;
  } catch {
    return undefined;
  }
}

let version: string | undefined;

/** jco's version is part of the cache key: another jco generates other glue. */
export async function jcoVersion(): Promise<string> {
  if (version === undefined) {
    // The exports map hides package.json; it sits one level above dist/api.js.
    const entry = fileURLToPath(import.meta.resolve('@bytecodealliance/jco'));
    const pkg = JSON.parse(await readFile(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    version = pkg.version;
  }
  return version;
}
