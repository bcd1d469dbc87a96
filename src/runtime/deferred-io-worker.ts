/**
 * preview2-shim starts its I/O worker thread as its `io` module loads, in every thread
 * that imports it (the main thread and each event worker): ~26 MB of RSS each, though
 * most guests never use it (spindle serves their stdio, clocks and incoming HTTP itself;
 * outbound HTTP, files and sockets do use it). While this module's patch is in place,
 * the shim's `new Worker(...)` for that thread returns a stand-in that starts the real
 * thread on the first call posted to it. Every other Worker is created as usual.
 * preview2-shim.ts loads the shim between this module and `restoreWorker()`.
 */
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';

type WorkerArgs = ConstructorParameters<typeof workerThreads.Worker>;

/** The file name of the shim's I/O worker (preview2-shim's dist/io/worker-io.js). */
const SHIM_IO_WORKER = /preview2-shim\/dist\/io\/worker-thread\.bundle\.js$/;

/**
 * What the shim's synchronous call (its synckit) does with its worker: listen, unref,
 * post. The real thread starts with the first post; the caller then waits on Atomics
 * until it answers, as it would for a thread started earlier.
 */
class DeferredWorker {
  readonly #start: () => workerThreads.Worker;
  readonly #listeners: [event: string, listener: (...args: unknown[]) => void][] = [];
  #referenced = true;
  #worker: workerThreads.Worker | undefined;

  constructor(start: () => workerThreads.Worker) {
    this.#start = start;
  }

  on(event: string, listener: (...args: unknown[]) => void): this {
    if (this.#worker === undefined) this.#listeners.push([event, listener]);
    else this.#worker.on(event, listener);
    return this;
  }

  unref(): void {
    this.#referenced = false;
    this.#worker?.unref();
  }

  postMessage(...args: Parameters<workerThreads.Worker['postMessage']>): void {
    this.#started().postMessage(...args);
  }

  #started(): workerThreads.Worker {
    if (this.#worker === undefined) {
      const worker = this.#start();
      for (const [event, listener] of this.#listeners.splice(0)) worker.on(event, listener);
      if (!this.#referenced) worker.unref();
      this.#worker = worker;
    }
    return this.#worker;
  }
}

const RealWorker = workerThreads.Worker;

function DeferringWorker(this: unknown, ...args: WorkerArgs): object {
  const [filename] = args;
  if (SHIM_IO_WORKER.test(String(filename))) return new DeferredWorker(() => new RealWorker(...args));
  return new RealWorker(...args);
}
DeferringWorker.prototype = RealWorker.prototype;

workerThreads.Worker = DeferringWorker as unknown as typeof workerThreads.Worker;
syncBuiltinESMExports();

/** Put `worker_threads.Worker` back, once the shim has loaded. */
export function restoreWorker(): void {
  workerThreads.Worker = RealWorker;
  syncBuiltinESMExports();
}
