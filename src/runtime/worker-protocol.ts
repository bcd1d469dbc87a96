/**
 * What the main thread and an event worker (event-worker.ts) say to each other. Every
 * message is structured-clone data: events cross as plain objects, `data` as bytes.
 */
import type { FileMount, InstanceMode } from '../app/model.ts';
import type { CloudEvent } from '../event.ts';
import type { Outcome } from './event-handler.ts';
import type { CallOutcome, GuestCallRef } from './guest-call.ts';
import type { OutboundConfig } from './outbound-http.ts';
import type { WasmModule } from './wasm.ts';
import type { ItemClock } from './worker-clock.ts';

/** `workerData`: everything a worker needs to instantiate the component on its own. */
export interface WorkerSetup {
  componentId: string;
  /** file: URL of jco's cached glue module (exports `instantiate`). */
  glue: string;
  /** This worker's claim cells (worker-claim.ts). */
  cells: Int32Array;
  /** This worker's item clock (worker-clock.ts): it stamps each event it runs. */
  clock: ItemClock;
  /** The core modules, compiled once by the main thread (posting one costs ~3 ms). */
  modules: [name: string, module: WasmModule][];
  /** The export key of `spindle:event/handler`, if the component has one (else it serves guest calls only). */
  handler: string | undefined;
  instances: InstanceMode;
  environment: Record<string, string>;
  files: FileMount[];
  /** The component's variables, already resolved. */
  variables: Record<string, string>;
  /** The cap of the modules' memories (memory-cap.ts), to name it in a trap. */
  memoryLimitMb: number;
  /** What the guest may print per event. */
  maxOutputBytes: number;
  outbound: OutboundConfig;
}

/** Main -> worker: run `handle` on each event, in order. */
export interface HandleRequest {
  id: number;
  /** Posted behind another call: run it only if the claim on this cell succeeds (worker-claim.ts); else -1. */
  cell: number;
  events: CloudEvent[];
}

/** Main -> worker: run an adapter's guest call (guest-call.ts) with `input`, as one item. */
export interface CallRequest {
  id: number;
  /** As for a HandleRequest. */
  cell: number;
  call: { ref: Pick<GuestCallRef<never, unknown>, 'module' | 'export'>; input: unknown };
}

/** What became of one event: the handler's outcome, or a trap (the instance is dropped, the worker lives on). */
export type EventOutcome = Outcome | { trap: string };

/** Worker -> main. Replies come in request order, one per request, an outcome per event. */
export type WorkerMessage =
  | { kind: 'ready' }
  | { kind: 'reply'; id: number; outcomes: EventOutcome[] }
  | { kind: 'called'; id: number; outcome: CallOutcome }
  | { kind: 'log'; stream: 'stdout' | 'stderr'; line: string }
  | { kind: 'dropped'; bytes: number; limitBytes: number }
  /** The worker cannot go on (a guest spent its memory): stop it, failing its running event with `reason`. */
  | { kind: 'abandon'; reason: string };
