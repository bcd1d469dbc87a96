/**
 * Code an adapter runs against an instance's exports, on the component's worker threads
 * (with its deadline and memory limit) or, with `threads = 0`, on the main thread. A
 * function cannot cross to a worker, so a call is named, not passed: it is an export of
 * a module the adapter ships ({@link GuestCallRef}), which the thread running it imports
 * once. Its input and output cross as structured-clone data.
 */
import { pathToFileURL } from 'node:url';
import type { GuestExports } from './component.ts';

/**
 * What to run against an instance. Export it from a module that imports little at run
 * time (`import type` from `spindle/adapter`): each worker thread imports it.
 */
export interface GuestCall<Input, Output> {
  /**
   * Host imports replacing the runtime's for this call's instance, keyed as jco's glue
   * looks them up (unversioned, e.g. `wasi:http/types`). Made anew per call; such an
   * instance is fresh and used once.
   */
  imports?(): Record<string, unknown>;
  /** A fresh instance, used once, whatever the component's `instances` mode. */
  fresh?: boolean;
  /** Runs on the thread that holds the instance; a throw discards it (a WIT `err` included). */
  run(exports: GuestExports, input: Input): Output | Promise<Output>;
}

/** Where a {@link GuestCall} is: the file: URL of its module and its export name. */
export interface GuestCallRef<Input, Output> {
  readonly module: string;
  readonly export: string;
  /** Never set: carries the call's types to `Component.call`. */
  readonly types?: (input: Input) => Output;
}

/**
 * The reference to `exportName` of the module `path` (relative, without extension) next
 * to the module at `base` (its `import.meta.url`): the same extension as `base`, so it
 * names the `.ts` source from a checkout and the `.js` file from a built package.
 */
export function guestCallRef<Call extends GuestCall<never, unknown>>(
  base: string,
  path: string,
  exportName: string,
): GuestCallRef<InputOf<Call>, Awaited<ReturnType<Call['run']>>> {
  const extension = new URL(base).pathname.match(/\.[cm]?[jt]s$/)?.[0] ?? '.js';
  return { module: new URL(`${path}${extension}`, base).href, export: exportName };
}

type InputOf<Call> = Call extends GuestCall<infer Input, unknown> ? Input : never;

/**
 * Imports the modules of guest calls, once each (one per thread). A reference that does
 * not name a GuestCall is the adapter's mistake, reported as such.
 */
export class GuestCalls {
  readonly #modules = new Map<string, Promise<Record<string, unknown>>>();

  async load(ref: Pick<GuestCallRef<never, unknown>, 'module' | 'export'>): Promise<GuestCall<unknown, unknown>> {
    let module = this.#modules.get(ref.module);
    if (module === undefined) {
      const url = ref.module.startsWith('file:') ? ref.module : pathToFileURL(ref.module).href;
      module = import(url) as Promise<Record<string, unknown>>;
      this.#modules.set(ref.module, module);
      module.catch(() => this.#modules.delete(ref.module));
    }
    const call = (await module)[ref.export] as Partial<GuestCall<unknown, unknown>> | undefined;
    if (typeof call?.run !== 'function') throw new Error(`${ref.module} exports no guest call ${ref.export}`);
    return call as GuestCall<unknown, unknown>;
  }
}

/** What a guest call's thread says became of it: its output, or why it failed. */
export type CallOutcome =
  | { ok: unknown; notes: string[] }
  /** `payload`: the WIT `err` value the guest returned (jco throws it as an Error with `payload`). */
  | { trap: string; payload?: unknown; notes: string[] };

/** `error` as a CallOutcome trap, keeping a returned WIT `err` value. */
export function trapOutcome(error: unknown, notes: string[]): CallOutcome {
  const trap = error instanceof Error ? error.message : String(error);
  const payload = returnedErr(error);
  return payload === undefined ? { trap, notes } : { trap, payload: payload.payload, notes };
}

/**
 * The WIT `err` value a guest returned, if `error` (or its cause: a ComponentError from
 * `Component.call`) carries one; jco throws it as an Error with `payload`.
 */
export function returnedErr(error: unknown): { payload: unknown } | undefined {
  for (let current = error, depth = 0; current instanceof Object && depth < 3; depth++) {
    if (Object.hasOwn(current, 'payload')) return { payload: (current as { payload: unknown }).payload };
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** A failed outcome as the error the adapter sees: its WIT `err` value, if any, as `payload`. */
export function outcomeError(outcome: Extract<CallOutcome, { trap: string }>): Error {
  const error = new Error(outcome.trap);
  return 'payload' in outcome ? Object.assign(error, { payload: outcome.payload }) : error;
}
