/**
 * The HTTP trigger's test guests, built from source in test/fixtures/http/ (and the
 * Spin templates' guests in test/fixtures/spin-templates/) once and cached by content
 * hash under node_modules/.cache/spindle-fixtures/http/:
 * - JS and TS guests with componentize-js against adapters/http/wit (Spin inbound-http, wasi:http);
 * - the Wagi module from C with `clang --target=wasm32-wasi`.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { componentize } from '../../src/build/componentize.ts';
import { withBuildLock } from './build-lock.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = join(ROOT, 'test', 'fixtures', 'http');
const TEMPLATES = join(ROOT, 'test', 'fixtures', 'spin-templates');
const WIT = join(ROOT, 'adapters', 'http', 'wit');
const SPIN_HTTP = { wit: join(WIT, 'spin-http'), world: 'fermyon:spin/http-trigger' };
const WASI_HTTP = { wit: join(WIT, 'wasi-http'), world: 'wasi:http/proxy@0.2.10' };
const CACHE = join(ROOT, 'node_modules', '.cache', 'spindle-fixtures', 'http');

const run = promisify(execFile);

/** The guests, their sources and the world each is built for. */
const GUESTS = {
  'spin-echo': { source: join(SOURCES, 'spin-echo.js'), ...SPIN_HTTP },
  'wasi-echo': { source: join(SOURCES, 'wasi-echo.js'), ...WASI_HTTP },
  'http-js-template': { source: join(TEMPLATES, 'http-js', 'src', 'index.js'), ...WASI_HTTP },
  'http-ts-template': { source: join(TEMPLATES, 'http-ts', 'src', 'index.ts'), ...WASI_HTTP },
} as const;

export type HttpGuest = keyof typeof GUESTS;

const building = new Map<string, Promise<string>>();

/** The component built from guest `name`'s source. */
export function buildHttpGuest(name: HttpGuest): Promise<string> {
  return once(name, async () => {
    const { source, wit, world } = GUESTS[name];
    // componentize() itself skips the build when `<out>.build.json` records these inputs.
    const out = join(CACHE, `${name}.wasm`);
    await withBuildLock(out, () =>
      componentize({ source, out, witPath: wit, worldName: world, cacheDir: join(CACHE, 'wizer') }),
    );
    return out;
  });
}

/** The Wagi module compiled from `test/fixtures/http/wagi-env.c`. */
export function buildWagiModule(): Promise<string> {
  return once('wagi-env', async () => {
    const source = join(SOURCES, 'wagi-env.c');
    const { stdout: version } = await run('clang', ['--version']);
    const digest = createHash('sha256')
      .update(version)
      .update(await readFile(source))
      .digest('hex')
      .slice(0, 16);
    const out = join(CACHE, `wagi-env-${digest}.wasm`);
    if (existsSync(out)) return out;
    await withBuildLock(out, async () => {
      if (existsSync(out)) return;
      const tmp = `${out}.${process.pid}.tmp`;
      await run('clang', ['--target=wasm32-wasi', '-O2', '-Wl,--strip-all', '-o', tmp, source]);
      await rename(tmp, out);
    });
    return out;
  });
}

function once(key: string, build: () => Promise<string>): Promise<string> {
  let pending = building.get(key);
  if (pending === undefined) {
    pending = build();
    building.set(key, pending);
    pending.catch(() => building.delete(key));
  }
  return pending;
}
