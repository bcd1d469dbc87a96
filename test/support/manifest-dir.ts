import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * A fresh directory holding `files` (path -> content). `.wasm` files need no real
 * content: loading a manifest only checks that they exist.
 */
export async function manifestDir(files: Record<string, string | Uint8Array>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-manifest-'));
  await writeFiles(dir, files);
  return dir;
}

/** Write `files` (path -> content) under `dir`, making the directories they need. */
export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}
