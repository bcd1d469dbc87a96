import { existsSync } from 'node:fs';
import { mkdir, open, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentize, inputsHash } from '../../src/build/componentize.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = join(ROOT, 'test', 'fixtures', 'components');
const CACHE = join(ROOT, 'node_modules', '.cache', 'spindle-fixtures');
// A JS guest takes 5–12 s and ~800 MB to build; a lock older than this is abandoned.
const STALE_LOCK_MS = 5 * 60_000;
const WAIT_MS = 3 * 60_000;

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
  await mkdir(CACHE, { recursive: true });
  const lock = `${out}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      const handle = await open(lock, 'wx');
      await handle.close();
      break;
    } catch {
      // Another worker is building it: wait for its output, or for the lock to go stale.
      if (existsSync(out)) return out;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no build runs)`);
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (!existsSync(out)) await componentize({ source, out, cacheDir: join(CACHE, 'wizer'), ...world });
    return out;
  } finally {
    await rm(lock, { force: true });
  }
}
