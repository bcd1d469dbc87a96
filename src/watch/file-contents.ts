import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * What each watched file held when last seen, to tell an edit from a file written again
 * with the bytes it had: a build's own outputs under the watch globs (a `tsc` or bundler
 * step writing the same file each time), an editor's save without edits. Reads of one
 * path run in turn, so a burst of events is judged in order.
 */
export class FileContents {
  readonly #digests = new Map<string, string>();
  readonly #reads = new Map<string, Promise<boolean>>();

  /**
   * Read `path` now and remember it: whether it differs from when last seen (appearing or
   * vanishing does). With `baseline` (a watcher's first scan), a path not seen before is
   * only remembered; one seen before is compared, as a change may have fallen between
   * two watchers.
   */
  changed(path: string, { baseline = false } = {}): Promise<boolean> {
    const previous = this.#reads.get(path) ?? Promise.resolve(false);
    const read = previous.then(async () => {
      const known = this.#digests.has(path);
      const before = this.#digests.get(path);
      const now = await digest(path);
      if (now === undefined) this.#digests.delete(path);
      else this.#digests.set(path, now);
      return (known || !baseline) && now !== before;
    });
    this.#reads.set(path, read);
    void read.then(() => {
      if (this.#reads.get(path) === read) this.#reads.delete(path);
    });
    return read;
  }

  /** Resolves once every read begun so far is done. */
  async settled(): Promise<void> {
    await Promise.all(this.#reads.values());
  }
}

/** The file's SHA-256, or undefined when it is gone (or cannot be read: then any later content differs). */
async function digest(path: string): Promise<string | undefined> {
  try {
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  } catch {
    return undefined;
  }
}
