import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentize, inputsHash } from '../../src/build/componentize.ts';
import { withBuildLock } from './build-lock.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = join(ROOT, 'test', 'fixtures', 'components');
const CACHE = join(ROOT, 'node_modules', '.cache', 'spindle-fixtures');

const building = new Map<string, Promise<string>>();

/**
 * The component built from `test/fixtures/components/<name>.js` (a spindle:event guest).
 * Outputs are content-addressed (`<name>-<inputs hash>.wasm`), so repeated runs reuse
 * them; a lock file keeps two vitest workers from building the same one twice.
 */
export function buildFixture(name: string, options: { worldName?: string } = {}): Promise<string> {
  let pending = building.get(name);
  if (pending === undefined) {
    pending = build(name, options.worldName);
    building.set(name, pending);
    pending.catch(() => building.delete(name));
  }
  return pending;
}

async function build(name: string, worldName: string | undefined): Promise<string> {
  const source = join(SOURCES, `${name}.js`);
  const world = worldName === undefined ? {} : { worldName };
  const out = join(CACHE, `${name}-${(await inputsHash({ source, ...world })).slice(0, 16)}.wasm`);
  if (existsSync(out)) return out;
  // Another worker may have built it while this one waited for the lock.
  return withBuildLock(out, async () => {
    if (!existsSync(out)) await componentize({ source, out, cacheDir: join(CACHE, 'wizer'), ...world });
    return out;
  });
}
