/**
 * The paths `spindle watch` watches for an app: its directory (the manifest, and where
 * sources usually live), and whatever lies outside it: the base directory of each build
 * watch glob (relative to the component's workdir, which may be anywhere, and free to
 * reach up with `../`), and the .wasm of each component built elsewhere (no build
 * command). A path inside another root is covered by it.
 */
import { isAbsolute, relative, resolve, sep } from 'node:path';
import picomatch from 'picomatch';
import type { AppConfig } from '../app/model.ts';

export function watchRoots(app: AppConfig): string[] {
  const wanted = [resolve(app.dir)];
  for (const component of Object.values(app.components)) {
    const build = component.build;
    if (build === undefined) {
      if (typeof component.source === 'string') wanted.push(component.source);
      continue;
    }
    for (const glob of build.watch ?? []) wanted.push(resolve(build.workdir, picomatch.scan(glob).base));
  }
  const unique = [...new Set(wanted)];
  return unique.filter((root) => !unique.some((other) => other !== root && isWithin(root, other)));
}

/** `path` is `dir` or below it. */
export function isWithin(path: string, dir: string): boolean {
  const below = relative(dir, path);
  return below !== '..' && !below.startsWith(`..${sep}`) && !isAbsolute(below);
}
