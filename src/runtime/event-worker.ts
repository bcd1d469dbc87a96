/**
 * A worker thread running one component's `spindle:event` handler (started by
 * worker-pool.ts with a WorkerSetup as workerData). It runs one event at a time, so a
 * guest that loops blocks only this thread, and the main thread can stop it with
 * `worker.terminate()` (nothing interrupts a synchronous wasm loop on its own thread).
 * A request carries the events that waited together on the main thread; they run in
 * order, each stamped on the item clock for its own deadline, and go back in one reply.
 * It also runs adapters' guest calls (guest-call.ts: the Spin, WASI HTTP and timer
 * worlds), one per request, stamped and stopped the same way.
 */
// First: the shim's I/O thread starts only when a guest needs it (runtime/deferred-io-worker.ts).
import './preview2-shim.ts';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { parentPort, workerData } from 'node:worker_threads';
import type { CloudEvent } from '../event.ts';
import { collectGarbage } from './collect-garbage.ts';
import { callHandle } from './event-handler.ts';
import { type CallOutcome, GuestCalls, trapOutcome } from './guest-call.ts';
import type { Instance } from './instance-pool.ts';
import { type Instantiate, instanceFactory } from './instantiate.ts';
import { MemoryLimitExceeded } from './memory-limit.ts';
import { OutboundNotes, withNotes, withNotesText } from './outbound-http.ts';
import { claim } from './worker-claim.ts';
import { endItem, startItem } from './worker-clock.ts';
import type { CallRequest, EventOutcome, HandleRequest, WorkerMessage, WorkerSetup } from './worker-protocol.ts';

const port = parentPort;
if (port === null) throw new Error('event-worker.ts runs as a worker thread');
const setup = workerData as WorkerSetup;
const post = (message: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const { instantiate } = (await import(setup.glue)) as { instantiate: Instantiate };
const notes = new OutboundNotes();
const create = instanceFactory({
  instantiate,
  modules: new Map(setup.modules),
  environment: setup.environment,
  files: setup.files,
  variables: (name) => (Object.hasOwn(setup.variables, name) ? setup.variables[name] : undefined),
  memoryLimitMb: setup.memoryLimitMb,
  maxOutputBytes: setup.maxOutputBytes,
  outbound: setup.outbound,
  notes,
  recycleCores: setup.instances === 'fresh',
  output: {
    line: (stream, line) => post({ kind: 'log', stream, line }),
    dropped: (bytes, limitBytes) => post({ kind: 'dropped', bytes, limitBytes }),
  },
});

// 'reuse': one long-lived instance, made before reporting ready so that the first event
// does not pay for it; dropped after a trap and made again for the next event (or call).
let reused: Instance | undefined =
  setup.instances === 'reuse' && setup.handler !== undefined ? await create() : undefined;
const calls = new GuestCalls();

async function run({ id, cell, events }: HandleRequest): Promise<void> {
  if (cell !== -1 && !claim(setup.cells, cell, id)) return; // another worker took it over
  const outcomes: EventOutcome[] = [];
  for (const [index, event] of events.entries()) outcomes.push(await handle(event, index));
  postReply(id, outcomes);
}

async function handle(event: CloudEvent, index: number): Promise<EventOutcome> {
  const { handler } = setup;
  try {
    return await withInstance(index, setup.instances === 'fresh', undefined, (instance) => {
      if (handler === undefined) throw new Error('the component exports no spindle:event/handler');
      return withNotes(callHandle(instance.exports, handler, event), notes.take());
    });
  } catch (trap) {
    return { trap: withNotesText(trap instanceof Error ? trap.message : String(trap), notes.take()) };
  }
}

async function runCall({ id, cell, call: { ref, input } }: CallRequest): Promise<void> {
  if (cell !== -1 && !claim(setup.cells, cell, id)) return; // another worker took it over
  let outcome: CallOutcome;
  try {
    outcome = await guestCall(ref, input);
  } catch (error) {
    outcome = trapOutcome(error, notes.take()); // the call's module did not load
  }
  try {
    post({ kind: 'called', id, outcome });
  } catch (error) {
    post({ kind: 'called', id, outcome: trapOutcome(`its output cannot cross threads: ${error}`, outcome.notes) });
  }
}

/** One guest call on this worker's reused instance, or on a fresh one if the call or the mode says so. */
async function guestCall(ref: CallRequest['call']['ref'], input: unknown): Promise<CallOutcome> {
  const call = await calls.load(ref);
  const fresh = call.fresh === true || call.imports !== undefined || setup.instances === 'fresh';
  try {
    const output = await withInstance(0, fresh, call.imports?.(), (instance) => call.run(instance.exports, input));
    return { ok: output, notes: notes.take() };
  } catch (trap) {
    return trapOutcome(trap, notes.take());
  }
}

/**
 * Runs `use` as item `index` of the running request (stamped on the item clock), on this
 * worker's reused instance, or on a fresh one (with `imports` overriding the host's),
 * released after its use. A failed use drops the instance, a trapped one is never reused,
 * and rejects with what the trap means (instance.explain). A trap at the memory cap
 * never returns: the worker asks to be stopped.
 */
async function withInstance<T>(
  index: number,
  fresh: boolean,
  imports: Record<string, unknown> | undefined,
  use: (instance: Instance) => T | Promise<T>,
): Promise<T> {
  let instance: Instance | undefined;
  startItem(setup.clock, index);
  try {
    if (fresh || reused === undefined) {
      // Instantiating back to back exhausts wasm memory unless GC gets a turn (WASM-NOTES).
      await yieldToEventLoop();
      instance = await create(imports);
    } else {
      instance = reused;
    }
    notes.take();
    const result = await use(instance);
    endItem(setup.clock);
    instance.settle();
    if (fresh) instance.release();
    else reused = instance;
    return result;
  } catch (error) {
    instance?.settle();
    if (fresh) instance?.release();
    else reused = undefined; // a trapped instance is never reused
    const trap = instance === undefined ? error : instance.explain(error);
    if (trap instanceof MemoryLimitExceeded) {
      // Its memory would come back only when GC gets to it, after a retry may have grown
      // another instance: the pool stops this worker instead (the item clock still names
      // the item), and nothing more runs here meanwhile.
      post({ kind: 'abandon', reason: trap.message });
      return new Promise<never>(() => {});
    }
    endItem(setup.clock);
    throw trap;
  }
}

/** The emitted bytes were lifted out of wasm memory into fresh buffers: move, not copy. */
function postReply(id: number, outcomes: EventOutcome[]): void {
  const buffers = new Set<ArrayBuffer>();
  for (const outcome of outcomes) {
    if (!('ok' in outcome)) continue;
    for (const { data } of outcome.ok) {
      if (data !== undefined && data.byteOffset === 0 && data.byteLength === data.buffer.byteLength) {
        buffers.add(data.buffer as ArrayBuffer);
      }
    }
  }
  try {
    post({ kind: 'reply', id, outcomes }, [...buffers]);
  } catch {
    post({ kind: 'reply', id, outcomes }); // a buffer that cannot move (e.g. wasm memory) is copied
  }
}

let queue = Promise.resolve();
port.on('message', (request: HandleRequest | CallRequest) => {
  queue = queue.then(() => ('call' in request ? runCall(request) : run(request)));
});
collectGarbage(); // what importing the glue and instantiating left behind (collect-garbage.ts)
post({ kind: 'ready' });
