import { cp, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { packagePath } from '../package-files.ts';
import { PRELUDE_IMPORTS } from './quickjs-prelude.ts';

/** The WASI WIT that spindle ships for its WASI HTTP world. */
const SHIPPED_WASI = packagePath('adapters/http/wit/wasi-http/deps');
const WRAPPER_PACKAGE = 'spindle:quickjs-guest';

/** A WIT folder made for one QuickJS build; `remove` deletes it. */
export interface PreludeWorld {
  witPath: string;
  worldName: string;
  remove(): Promise<void>;
}

/**
 * The guest's world with the QuickJS prelude's imports besides (`wasi:cli/stdout`,
 * `stderr`, `wasi:random/random`; quickjs-prelude.ts), in a temporary WIT folder:
 * componentize-qjs lets JavaScript import only what the world imports. The folder holds a
 * package whose world includes the guest's, the guest's WIT as a dependency, and the WASI
 * packages spindle ships that the guest's WIT lacks.
 */
export async function preludeWorld(witPath: string, worldName: string): Promise<PreludeWorld> {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-quickjs-wit-'));
  const remove = () => rm(dir, { recursive: true, force: true });
  try {
    const own = await witLayout(witPath);
    const mainTexts = await Promise.all(own.main.map((file) => readFile(file, 'utf8')));
    const packages = new Map<string, string[]>();
    for (const text of mainTexts) addPackages(packages, text);
    for (const file of own.depFiles) addPackages(packages, await readFile(file, 'utf8'));
    const main = mainPackage(mainTexts);
    await Promise.all(own.main.map((file) => cp(file, join(dir, 'deps', 'spindle-guest-main', basename(file)))));
    await Promise.all(own.deps.map((entry) => cp(entry, join(dir, 'deps', basename(entry)), { recursive: true })));
    for (const name of await readdir(SHIPPED_WASI)) {
      const folder = join(SHIPPED_WASI, name);
      const shipped = new Map<string, string[]>();
      for (const file of await witFiles(folder)) addPackages(shipped, await readFile(file, 'utf8'));
      const missing = [...shipped].some(([pkg, versions]) => versions.some((v) => !packages.get(pkg)?.includes(v)));
      if (missing) await cp(folder, join(dir, 'deps', `spindle-wasi-${name}`), { recursive: true });
    }
    await writeFile(
      join(dir, 'world.wit'),
      `package ${WRAPPER_PACKAGE};

world guest {
  include ${worldReference(worldName, main, packages)};
${PRELUDE_IMPORTS.map((name) => `  import ${name};\n`).join('')}}
`,
    );
    return { witPath: dir, worldName: `${WRAPPER_PACKAGE}/guest`, remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

interface WitLayout {
  /** The main package's files. */
  main: string[];
  /** The entries of `deps/` (folders or files), and every WIT file under them. */
  deps: string[];
  depFiles: string[];
}

async function witLayout(witPath: string): Promise<WitLayout> {
  if (!(await stat(witPath)).isDirectory()) return { main: [witPath], deps: [], depFiles: [] };
  const entries = await readdir(witPath, { withFileTypes: true });
  const main = entries.filter((e) => e.isFile() && e.name.endsWith('.wit')).map((e) => join(witPath, e.name));
  const depsDir = join(witPath, 'deps');
  const hasDeps = entries.some((e) => e.isDirectory() && e.name === 'deps');
  const deps = hasDeps ? (await readdir(depsDir)).map((name) => join(depsDir, name)) : [];
  return { main, deps, depFiles: hasDeps ? await witFiles(depsDir) : [] };
}

async function witFiles(path: string): Promise<string[]> {
  if (!(await stat(path)).isDirectory()) return path.endsWith('.wit') ? [path] : [];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.wit')).map((e) => join(e.parentPath, e.name));
}

/** `package ns:name[@version];` (or `{` for a nested package) at the start of a line. */
const PACKAGE = /^\s*package\s+([a-z][a-z0-9-]*:[a-z][a-z0-9-]*)(?:@([^\s;{]+))?\s*[;{]/gm;

/** Records the packages `text` declares: name -> versions ('' for none). */
function addPackages(packages: Map<string, string[]>, text: string): void {
  for (const [, name, version = ''] of text.matchAll(PACKAGE)) {
    const versions = packages.get(name as string) ?? [];
    if (!versions.includes(version)) versions.push(version);
    packages.set(name as string, versions);
  }
}

function mainPackage(texts: string[]): { name: string; version: string } | undefined {
  for (const text of texts) {
    const [found] = text.matchAll(PACKAGE);
    if (found) return { name: found[1] as string, version: found[2] ?? '' };
  }
  return undefined;
}

/**
 * `worldName` as the wrapper's `include` names it: with its package (the main package's
 * when it names none) and that package's version when it is the only one.
 */
function worldReference(
  worldName: string,
  main: { name: string; version: string } | undefined,
  packages: ReadonlyMap<string, string[]>,
): string {
  if (worldName.includes('@')) return worldName;
  const slash = worldName.indexOf('/');
  const pkg = worldName.includes(':') && slash !== -1 ? worldName.slice(0, slash) : main?.name;
  const world = slash === -1 ? worldName : worldName.slice(slash + 1);
  if (pkg === undefined) return worldName;
  const versions = packages.get(pkg) ?? [];
  const version = versions.length === 1 ? versions[0] : '';
  return `${pkg}/${world}${version ? `@${version}` : ''}`;
}
