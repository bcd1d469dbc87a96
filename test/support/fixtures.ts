import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentize, inputsHash, type JsEngine } from '../../src/build/componentize.ts';
import { withBuildLock } from './build-lock.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = join(ROOT, 'test', 'fixtures', 'components');
const CACHE = join(ROOT, 'node_modules', '.cache', 'spindle-fixtures');
/** Wizer's cache for fixture builds (componentize's `cacheDir`). */
export const WIZER_CACHE = join(CACHE, 'wizer');

const building = new Map<string, Promise<string>>();

export interface FixtureOptions {
  worldName?: string;
  /** WIT folder holding `worldName`; defaults to spindle's `wit/`. */
  witPath?: string;
  /**
   * Build behind spindle's handler guard, as `spindle componentize` builds users' guests.
   * Off by default: the fixtures test the host with guests exactly as written (the
   * behaviours guest's `test.trap` must really trap).
   */
  guard?: boolean;
  /** The JavaScript engine built in; defaults to componentize's (StarlingMonkey). */
  engine?: JsEngine;
}

/**
 * The component built from `test/fixtures/components/<name>.js` or `.ts` (a spindle:event
 * guest unless `worldName` says otherwise). Outputs are content-addressed
 * (`<name>-<inputs hash>.wasm`), so repeated runs reuse them; a lock file keeps two vitest
 * workers from building the same one twice.
 */
export function buildFixture(name: string, options: FixtureOptions = {}): Promise<string> {
  const key = `${name} ${options.engine ?? ''}`;
  let pending = building.get(key);
  if (pending === undefined) {
    pending = build(name, options);
    building.set(key, pending);
    pending.catch(() => building.delete(key));
  }
  return pending;
}

/** Where `buildFixture` puts `name`'s component: its source and content-addressed output. */
export async function fixturePaths(
  name: string,
  { worldName, witPath, guard = false, engine }: FixtureOptions = {},
): Promise<{
  source: string;
  out: string;
  inputs: { source: string; guard: boolean; worldName?: string; witPath?: string; engine?: JsEngine };
}> {
  const ts = join(SOURCES, `${name}.ts`);
  const source = existsSync(ts) ? ts : join(SOURCES, `${name}.js`);
  const inputs = {
    source,
    guard,
    ...(worldName === undefined ? {} : { worldName }),
    ...(witPath === undefined ? {} : { witPath }),
    ...(engine === undefined ? {} : { engine }),
  };
  return { source, out: join(CACHE, `${name}-${(await inputsHash(inputs)).slice(0, 16)}.wasm`), inputs };
}

async function build(name: string, options: FixtureOptions): Promise<string> {
  const { out, inputs } = await fixturePaths(name, options);
  if (existsSync(out)) return out;
  // Another worker may have built it while this one waited for the lock.
  return withBuildLock(out, async () => {
    if (!existsSync(out)) await componentize({ ...inputs, out, cacheDir: WIZER_CACHE });
    return out;
  });
}
