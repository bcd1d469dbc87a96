/**
 * Spin's `exclude_files`: globs, relative to the manifest's directory, naming files the
 * component must not see even though its `files` would mount them. A mounted directory
 * holding an excluded path is mounted file by file, without the excluded ones.
 */
import { globSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { isInside } from './file-mounts.ts';
import type { FileMount } from './model.ts';

export function excludeFiles(mounts: FileMount[], patterns: readonly string[], dir: string): FileMount[] {
  if (patterns.length === 0 || mounts.length === 0) return mounts; // no tree walk for nothing
  const excluded = patterns.flatMap((pattern) =>
    globSync(pattern, { cwd: dir }).map((match) => realOrLexical(resolve(dir, match))),
  );
  const isExcluded = (path: string) => excluded.some((root) => isInside(path, root));
  return mounts.flatMap((mount) => {
    if (isExcluded(mount.source)) return [];
    if (!statSync(mount.source).isDirectory() || !excluded.some((path) => isInside(path, mount.source))) {
      return [mount];
    }
    return filesUnder(mount.source, isExcluded).map((file) => ({
      source: file,
      destination: `${mount.destination.replace(/\/$/, '')}/${relative(mount.source, file).split(sep).join('/')}`,
    }));
  });
}

/** The files under `dir`, leaving out excluded paths (and everything under them). */
function filesUnder(dir: string, isExcluded: (path: string) => boolean): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (isExcluded(path)) return [];
      return entry.isDirectory() ? filesUnder(path, isExcluded) : [path];
    });
}

/** Mount sources are real paths; a dangling symlink has none, and is compared as written. */
function realOrLexical(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
