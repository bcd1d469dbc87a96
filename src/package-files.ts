/**
 * Where spindle's own files are. The same modules run as TypeScript from a checkout
 * (tests, `node src/...`) and as JavaScript from dist/ in the published package, so
 * paths to files loaded at run time (worker entry points, built-in adapters, WIT) are
 * derived from this module's own location rather than written with an extension.
 */
import { fileURLToPath } from 'node:url';

const fromSource = import.meta.url.endsWith('.ts');

/** The extension of spindle's modules as they run now: `.ts` from source, `.js` from dist/. */
export const moduleExtension = fromSource ? '.ts' : '.js';

/** The package's root directory (where package.json and wit/ are), with a trailing slash. */
export const packageRoot = new URL(fromSource ? '../' : '../../', import.meta.url);

/** `path` (relative to the package root, with no extension) as a module URL of the running form. */
export function moduleUrl(path: string): URL {
  return new URL(`${fromSource ? '' : 'dist/'}${path}${moduleExtension}`, packageRoot);
}

/** Absolute path of a file shipped at `path` in the package (e.g. `wit`). */
export function packagePath(path: string): string {
  return fileURLToPath(new URL(path, packageRoot));
}
