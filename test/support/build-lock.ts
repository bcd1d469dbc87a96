import { mkdir, open, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

// A JS guest takes 5–12 s and ~800 MB to build; a lock older than this is abandoned.
const STALE_LOCK_MS = 5 * 60_000;
const WAIT_MS = 3 * 60_000;

/**
 * Run `build` holding `<out>.lock`, so that two vitest workers never build the same
 * output at once: the second waits for the first (and then usually finds it built).
 * Builds longer than a component's (an image) say how long to wait and when a lock is stale.
 */
export async function withBuildLock<T>(
  out: string,
  build: () => Promise<T>,
  { waitMs = WAIT_MS, staleMs = STALE_LOCK_MS }: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  await mkdir(dirname(out), { recursive: true });
  const lock = `${out}.lock`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await (await open(lock, 'wx')).close();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock} (remove it if no build runs)`);
      const age = await stat(lock).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > staleMs) await rm(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    return await build();
  } finally {
    await rm(lock, { force: true });
  }
}
