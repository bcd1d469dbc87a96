import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * Where transpiled components are kept: `SPINDLE_CACHE_DIR` when set, else
 * `.spindle/cache` next to the manifest, as long as spindle may write there. An app
 * mounted read-only, or copied into a container whose user does not own it, falls back
 * to a directory of this user's under the system's temporary directory, so that the app
 * still starts.
 */
export async function chooseCacheDir(appDir: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  if (env.SPINDLE_CACHE_DIR) return env.SPINDLE_CACHE_DIR;
  const besideApp = join(appDir, '.spindle', 'cache');
  if (await writable(besideApp)) return besideApp;
  return join(tmpdir(), `spindle-cache-${userInfo().uid}`);
}

async function writable(dir: string): Promise<boolean> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
