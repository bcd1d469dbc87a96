/**
 * What `spindle watch` watches, and what a change means: a component's build inputs (its
 * `[component.<id>.build] watch` globs, relative to the build's workdir) call for a
 * rebuild of that component; the source .wasm of a component without a build command, or
 * the manifest, call for a restart. A build's own outputs (each component's .wasm and
 * its build record) and the `.spindle/` cache are never watched, so a build cannot set
 * off another. Changes are debounced: an editor's burst of writes is one change.
 * File events come from chokidar.
 */
import { relative, resolve, sep } from 'node:path';
import { type FSWatcher, watch } from 'chokidar';
import picomatch from 'picomatch';
import type { AppConfig } from '../app/model.ts';

/** What a burst of changes asks for. */
export interface Change {
  /** The manifest changed: reload it (and build every component). */
  manifest: boolean;
  /** Components whose build inputs changed. */
  rebuild: Set<string>;
  /** The files that changed, for the log. */
  files: string[];
}

const ALWAYS_IGNORED = ['node_modules', '.git', '.spindle'];

export class AppWatcher {
  readonly #watcher: FSWatcher;
  readonly #debounceMs: number;
  #app: AppConfig;
  #pending: Change | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(app: AppConfig, onChange: (change: Change) => void, options: { debounceMs?: number } = {}) {
    this.#app = app;
    this.#debounceMs = options.debounceMs ?? 250;
    this.#watcher = watch(app.dir, {
      ignoreInitial: true,
      ignored: (path) => this.#isIgnored(path),
      // A file is reported once its writer is done with it (componentize writes then renames).
      awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 25 },
    });
    this.#watcher.on('all', (event, path) => {
      if (event === 'addDir' || event === 'unlinkDir') return;
      const change = this.#classify(resolve(path));
      if (change === undefined) return;
      this.#pending = merge(this.#pending, change);
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => {
        const pending = this.#pending;
        this.#pending = undefined;
        if (pending) onChange(pending);
      }, this.#debounceMs);
    });
  }

  /** Resolves once the initial scan is done: changes from then on are reported. */
  ready(): Promise<void> {
    return new Promise((done) => this.#watcher.once('ready', () => done()));
  }

  /** The app after a reload: its globs and outputs from now on. */
  update(app: AppConfig): void {
    this.#app = app;
  }

  async close(): Promise<void> {
    clearTimeout(this.#timer);
    await this.#watcher.close();
  }

  #isIgnored(path: string): boolean {
    const parts = relative(this.#app.dir, path).split(sep);
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
    files: [...a.files, ...b.files],
  };
}
