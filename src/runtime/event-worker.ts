/**
 * A worker thread running one component's `spindle:event` handler (started by
 * worker-pool.ts with a WorkerSetup as workerData). It runs one event at a time, so a
 * guest that loops blocks only this thread, and the main thread can stop it with
 * `worker.terminate()` (nothing interrupts a synchronous wasm loop on its own thread).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import { callHandle, type Outcome } from './event-handler.ts';
import type { Instance } from './instance-pool.ts';
import { type Instantiate, instanceFactory } from './instantiate.ts';
import { claim } from './worker-claim.ts';
import type { HandleRequest, WorkerMessage, WorkerSetup } from './worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('event-worker.ts runs as a worker thread');
const setup = workerData as WorkerSetup;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const { instantiate } = (await import(setup.glue)) as { instantiate: Instantiate };
const create = instanceFactory({
  instantiate,
  modules: new Map(setup.modules),
  environment: setup.environment,
  files: setup.files,
  variables: (name) => (Object.hasOwn(setup.variables, name) ? setup.variables[name] : undefined),
  log: (stream, line) => post({ kind: 'log', stream, line }),
});

// 'reuse': one long-lived instance, made before reporting ready so that the first event
// does not pay for it; dropped after a trap and made again for the next event.
let reused: Instance | undefined = setup.instances === 'reuse' ? await create() : undefined;

async function run({ id, cell, event }: HandleRequest): Promise<void> {
  if (cell !== -1 && !claim(setup.cells, cell, id)) return; // another worker took it over
  let instance: Instance | undefined;
  try {
    if (reused === undefined) {
      // Instantiating back to back exhausts wasm memory unless GC gets a turn (WASM-NOTES).
      await yieldToEventLoop();
      instance = await create();
    } else {
      instance = reused;
    }
    const outcome = callHandle(instance.exports, setup.handler, event);
    instance.settle();
    if (setup.instances === 'reuse') reused = instance;
    postReply(id, outcome);
  } catch (error) {
    instance?.settle();
    reused = undefined; // a trapped instance is never reused
    post({ kind: 'trap', id, message: error instanceof Error ? error.message : String(error) });
  }
}

/** The emitted bytes were lifted out of wasm memory into fresh buffers: move, not copy. */
function postReply(id: number, outcome: Outcome): void {
  const buffers = new Set<ArrayBuffer>();
  if ('ok' in outcome) {
    for (const { data } of outcome.ok) {
      if (data !== undefined && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
        buffers.add(data.buffer as ArrayBuffer);
      }
    }
  }
  try {
    post({ kind: 'reply', id, outcome }, [...buffers]);
  } catch {
    post({ kind: 'reply', id, outcome }); // a buffer that cannot move (e.g. wasm memory) is copied
  }
}

let queue = Promise.resolve();
port.on('message', (request: HandleRequest) => {
  queue = queue.then(() => run(request));
});
post({ kind: 'ready' });
