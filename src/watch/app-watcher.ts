/**
 * What `spindle watch` watches, and what a change means: a component's build inputs (its
 * `[component.<id>.build] watch` globs, relative to the build's workdir) call for a
 * rebuild of that component; the source .wasm of a component without a build command, or
 * the manifest, call for a restart. The app's directory is watched, and so is whatever
 * of that lies outside it (watch-roots.ts).
 *
 * A build must not set off another: its .wasm and build record, and `.spindle/`, are
 * never watched; any other output the globs match counts only when its bytes differ from
 * what it held before (file-contents.ts), so a build that writes the same file again is
 * no change (an output that follows its input costs one more round, then settles). The
 * files as they are when watching begins are the baseline. Changes are
 * debounced: an editor's burst of writes is one change. File events come from chokidar.
 */
import { relative, resolve, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import picomatch from 'picomatch';
import type { AppConfig } from '../app/model.ts';
import { FileContents } from './file-contents.ts';
import { isWithin, watchRoots } from './watch-roots.ts';

/** What a burst of changes asks for. */
export interface Change {
  /** The manifest changed: reload it (and build every component). */
  manifest: boolean;
  /** Components whose build inputs changed. */
  rebuild: Set<string>;
  /** The files that changed, each once, for the log. */
  files: string[];
}

const ALWAYS_IGNORED = ['node_modules', '.git', '.spindle'];

export class AppWatcher {
  readonly #onChange: (change: Change) => void;
  readonly #debounceMs: number;
  readonly #contents = new FileContents();
  #app: AppConfig;
  #roots: string[];
  /** The chokidar watcher of `#roots`, once its first scan is done. */
  #watching: Promise<FSWatcher>;
  readonly #open = new Set<FSWatcher>();
  #pending: Change | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(app: AppConfig, onChange: (change: Change) => void, options: { debounceMs?: number } = {}) {
    this.#app = app;
    this.#onChange = onChange;
    this.#debounceMs = options.debounceMs ?? 250;
    this.#roots = watchRoots(app);
    this.#watching = this.#watch(this.#roots);
  }

  /** What is watched: the app's directory and what lies outside it (watch-roots.ts). */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** Resolves once the first scan is done: changes from then on are reported. */
  async ready(): Promise<void> {
    await this.#watching;
  }

  /**
   * The app after a reload: its globs and outputs from now on. When it needs other roots
   * (a workdir moved), a new watcher takes over once it has scanned them; the old one
   * watches until then, so that no change in between is missed.
   */
  async update(app: AppConfig): Promise<void> {
    this.#app = app;
    const roots = watchRoots(app);
    if (roots.join('\n') === this.#roots.join('\n')) return;
    this.#roots = roots;
    const old = await this.#watching;
    this.#watching = this.#watch(roots);
    await this.#watching;
    await this.#close(old);
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    await Promise.all([...this.#open].map((watcher) => this.#close(watcher)));
  }

  #watch(roots: string[]): Promise<FSWatcher> {
    const watcher = watch(roots, {
      // The first scan reports every file: what they hold then is the baseline.
      ignoreInitial: false,
      ignored: (path) => this.#isIgnored(resolve(path)),
      // A file is reported once its writer is done with it (componentize writes then renames).
      awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
    });
    this.#open.add(watcher);
    let scanned = false;
    watcher.on('all', (event, path) => {
      if (event === 'add' || event === 'change' || event === 'unlink') void this.#observe(resolve(path), !scanned);
    });
    return new Promise((done) => {
      watcher.once('ready', () => {
        scanned = true;
        void this.#contents.settled().then(() => done(watcher));
      });
    });
  }

  async #close(watcher: FSWatcher): Promise<void> {
    this.#open.delete(watcher);
    await watcher.close();
  }

  async #observe(path: string, baseline: boolean): Promise<void> {
    const change = this.#classify(path);
    if (change === undefined) return;
    if (!(await this.#contents.changed(path, { baseline }))) return;
    this.#pending = merge(this.#pending, change);
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      const pending = this.#pending;
      this.#pending = undefined;
      if (pending) this.#onChange(pending);
    }, this.#debounceMs);
  }

  #isIgnored(path: string): boolean {
    const root = this.#roots.find((r) => isWithin(path, r));
    const parts = root === undefined ? [] : relative(root, path).split(sep);
    if (parts.some((p) => ALWAYS_IGNORED.includes(p))) return true;
    for (const component of Object.values(this.#app.components)) {
      if (typeof component.source !== 'string' || component.build === undefined) continue;
      if (path === component.source || path.startsWith(`${component.source}.`)) return true; // .wasm, .build.json, .tmp
    }
    return false;
  }

  #classify(path: string): Change | undefined {
    if (path === resolve(this.#app.file)) return { manifest: true, rebuild: new Set(), files: [path] };
    const rebuild = new Set<string>();
    let restart = false;
    for (const component of Object.values(this.#app.components)) {
      const build = component.build;
      if (build === undefined) {
        if (path === component.source) restart = true;
        continue;
      }
      const globs = build.watch ?? [];
      if (globs.length > 0 && picomatch(globs)(relative(build.workdir, path).split(sep).join('/'))) {
        rebuild.add(component.id);
      }
    }
    // A restart alone is a reload without builds: the manifest path stands for it.
    if (restart) return { manifest: false, rebuild, files: [path] };
    return rebuild.size > 0 ? { manifest: false, rebuild, files: [path] } : undefined;
  }
}

function merge(a: Change | undefined, b: Change): Change {
  if (a === undefined) return b;
  return {
    manifest: a.manifest || b.manifest,
    rebuild: new Set([...a.rebuild, ...b.rebuild]),
    files: [...new Set([...a.files, ...b.files])],
  };
}
