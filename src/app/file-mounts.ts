/**
 * A `files` mount exposes what lies under its root and nothing else. The lexical check
 * ("static" is inside the app's directory) is not enough: a symlink `static -> /etc`, or
 * `static/passwd -> /etc/passwd` inside a mounted directory, would hand the guest the
 * host's files, because the WASI filesystem follows host symlinks. So every mount is
 * resolved with realpath, and a mount (or a symlink under it) that leads elsewhere is
 * refused at start-up.
 */
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/**
 * The real path to mount for `source`, or why it cannot be mounted. With `within` (the
 * app's directory, for mounts written as paths relative to it), the real path must lie
 * inside it too.
 */
export function confineMount(source: string, within?: string): { real: string } | { reason: string } {
  let real: string;
  try {
    real = realpathSync(source);
  } catch {
    return { reason: `no such file or directory: ${source}` };
  }
  if (within !== undefined) {
    const root = realpathSync(within);
    if (!isInside(real, root)) {
      return { reason: `${source} resolves through a symlink to ${real}, outside the app's directory ${root}` };
    }
  }
  const leak = escapingLink(real, real);
  if (leak !== undefined) {
    return { reason: `${leak.link} is a symlink to ${leak.target}, outside the mounted ${real}` };
  }
  return { real };
}

/** The first symlink under `path` whose target lies outside `root`. */
function escapingLink(path: string, root: string): { link: string; target: string } | undefined {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) {
    let target: string;
    try {
      target = realpathSync(path);
    } catch {
      return undefined; // dangling: it leads nowhere
    }
    return isInside(target, root) ? undefined : { link: path, target };
  }
  if (!stat.isDirectory()) return undefined;
  for (const entry of readdirSync(path)) {
    const found = escapingLink(join(path, entry), root);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether `path` is `root` or lies under it (both absolute). */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !rel.startsWith(sep));
}
