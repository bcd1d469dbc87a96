import { readFile } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { ComponentConfig, InstanceMode } from '../app/model.ts';
import { ComponentError, SpindleError } from '../errors.ts';
import type { CloudEvent } from '../event.ts';
import { checkEventInput } from '../event-input.ts';
import type { Logger } from '../log.ts';
import { binaryKind } from './binary.ts';
import type { Component, ComponentLimits, GuestExports, PoolLoad, World } from './component.ts';
import { callHandle, handlerKey, settleOutcome } from './event-handler.ts';
import { type CallOutcome, type GuestCallRef, GuestCalls, trapOutcome } from './guest-call.ts';
import { guestLog } from './guest-output.ts';
import { DEFAULT_INSTANCES, InstancePool } from './instance-pool.ts';
import { exposeInstanceState } from './instance-state.ts';
import { type Instantiate, instanceFactory } from './instantiate.ts';
import {
  DEFAULT_MAX_OUTPUT_KB,
  DEFAULT_MEMORY_LIMIT_MB,
  DEFAULT_OUTBOUND_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  defaultThreads,
} from './limits.ts';
import { ComponentLoadError } from './load-error.ts';
import { capMemories, MemoryCapTooSmall, WASM_PAGE } from './memory-cap.ts';
import { type OutboundConfig, OutboundNotes, withNotes, withNotesText } from './outbound-http.ts';
import { startThreadedHandler } from './threaded-handler.ts';
import { type TranspileFn, transpileCached } from './transpile-cache.ts';
import { compileModule, moduleExports, type WasmModule } from './wasm.ts';
import { settleCall } from './worker-call.ts';
import { worldsOf } from './worlds.ts';

export interface LoadOptions {
  /** Where jco's output is cached across starts (keyed by the component's sha256). */
  cacheDir: string;
  logger: Logger;
  /**
   * Resolves the component's variables (`fermyon:spin/variables.get`). As in Spin, the
   * guest reads only the names its config declares (`config.variables`), resolved once
   * at load (the values travel to the worker threads).
   */
  variables: (name: string) => string | undefined;
  /** The instance mode for components that do not set one; defaults to DEFAULT_INSTANCES. */
  instances?: InstanceMode;
  /** Worker threads for components that do not set `threads`; defaults to defaultThreads(). */
  threads?: number;
  /** The per-event deadline for components that do not set one; defaults to DEFAULT_TIMEOUT_MS. */
  timeoutMs?: number;
  /**
   * Where outbound HTTP may go (the component's allow-list, resolved); defaults to
   * nowhere, with DEFAULT_OUTBOUND_TIMEOUT_MS.
   */
  outbound?: Pick<OutboundConfig, 'allowedHosts' | 'self'> & { timeoutMs?: number };
  /** Replaces jco's transpile (tests observe cache hits with it). */
  transpile?: TranspileFn;
}

/**
 * Load a component: transpile it with jco (once per content, cached under `cacheDir`),
 * compile its core modules once, and read which worlds it implements from its exports.
 * Its `spindle:event` handler and adapters' guest calls (the other worlds) run on worker
 * threads (`threads`, 0: the main thread), with a deadline per event or call.
 * A WASI preview1 command module (`_start`) loads as a `wagi` component.
 */
export async function loadComponent(config: ComponentConfig, options: LoadOptions): Promise<Component> {
  const file = typeof config.source === 'string' ? config.source : '<bytes>';
  const fail = (reason: string, cause?: unknown) => new ComponentLoadError(config.id, file, reason, { cause });
  const instances = config.instances ?? options.instances ?? DEFAULT_INSTANCES;
  const memoryLimitMb = config.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB;
  const maxPages = (memoryLimitMb * 2 ** 20) / WASM_PAGE;
  const maxOutputBytes = (config.maxOutputKb ?? DEFAULT_MAX_OUTPUT_KB) * 1024;
  const limits: ComponentLimits = {
    timeoutMs: config.timeoutMs ?? options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    maxOutputBytes,
  };

  let bytes: Uint8Array;
  try {
    bytes = typeof config.source === 'string' ? await readFile(config.source) : config.source;
  } catch (cause) {
    throw fail('cannot read the file', cause);
  }
  const kind = binaryKind(bytes);
  if (kind === undefined) throw fail('not a WebAssembly component or module (no wasm header)');
  if (kind === 'module') {
    let capped: Uint8Array;
    try {
      capped = capMemories(bytes, maxPages);
    } catch (cause) {
      throw fail(cause instanceof MemoryCapTooSmall ? cause.message : `invalid core module: ${message(cause)}`, cause);
    }
    return loadWagi(config.id, capped, { instances, limits }, fail);
  }

  let transpiled: Awaited<ReturnType<typeof transpileCached>>;
  try {
    transpiled = await transpileCached(bytes, options.cacheDir, { transpile: options.transpile });
  } catch (cause) {
    throw fail(`jco cannot transpile it: ${message(cause)}`, cause);
  }
  options.logger.debug(
    { component: config.id, cache: transpiled.cached ? 'hit' : 'miss', dir: transpiled.dir },
    transpiled.cached ? 'transpiled component served from cache' : 'component transpiled',
  );
  const worlds = worldsOf(transpiled.exports);
  if (worlds.size === 0) {
    const found = transpiled.exports.map(([name]) => name).join(', ') || 'none';
    throw fail(
      `exports no world spindle can run (expected spindle:event/handler, fermyon:spin/inbound-redis, ` +
        `fermyon:spin/inbound-http, wasi:http/incoming-handler@0.2.x or handle-timer-request); exports found: ${found}`,
    );
  }

  const modules = new Map<string, WasmModule>();
  const glue = pathToFileURL(transpiled.glue).href;
  let instantiate: Instantiate;
  try {
    await Promise.all(
      transpiled.coreModules.map(async (name) => {
        const capped = capMemories(await readFile(`${transpiled.dir}/${name}`), maxPages);
        // Only fresh instances are put back into their first state (core-recycler.ts): the
        // rewrite scans every instruction, and its garbage stays in RSS for long-lived ones.
        const bytes = instances === 'fresh' ? exposeInstanceState(capped) : capped;
        modules.set(name, await compileModule(bytes));
      }),
    );
    ({ instantiate } = (await import(glue)) as { instantiate: Instantiate });
  } catch (cause) {
    if (cause instanceof MemoryCapTooSmall) throw fail(cause.message, cause);
    throw fail(`cannot compile it: ${message(cause)}`, cause);
  }
  const variables = resolveVariables(config, options.variables);
  const outbound: OutboundConfig = {
    componentId: config.id,
    allowedHosts: options.outbound?.allowedHosts ?? [],
    timeoutMs: options.outbound?.timeoutMs ?? config.outboundTimeoutMs ?? DEFAULT_OUTBOUND_TIMEOUT_MS,
  };
  if (options.outbound?.self !== undefined) outbound.self = options.outbound.self;
  const notes = new OutboundNotes();
  const create = instanceFactory({
    instantiate,
    modules,
    environment: config.environment,
    files: config.files,
    variables: (name) => (Object.hasOwn(variables, name) ? variables[name] : undefined),
    memoryLimitMb,
    maxOutputBytes,
    output: guestLog(options.logger, config.id),
    outbound,
    notes,
    recycleCores: instances === 'fresh',
  });
  const pool = new InstancePool(instances, () => create());
  // threads = 0: guest calls on the main thread, with no deadline (as events).
  const mainCalls = new GuestCalls();
  let call = async <Input, Output>(ref: GuestCallRef<Input, Output>, input: Input): Promise<Output> => {
    notes.take();
    let outcome: CallOutcome;
    try {
      const guestCall = await mainCalls.load(ref);
      const run = (exports: GuestExports) => guestCall.run(exports, input);
      const output = await (guestCall.fresh || guestCall.imports ? useOnce(run, guestCall.imports?.()) : pool.use(run));
      outcome = { ok: output, notes: notes.take() };
    } catch (cause) {
      outcome = trapOutcome(cause, notes.take());
    }
    return settleCall(config.id, outcome, options.logger);
  };
  // One use of a fresh instance outside the pool, with optional host import overrides.
  const useOnce = async <T>(fn: (exports: GuestExports) => T | Promise<T>, overrides?: Record<string, unknown>) => {
    await yieldToEventLoop(); // as the pool does: let GC reclaim wasm memory between instantiations
    const instance = await create(overrides);
    try {
      return await fn(instance.exports);
    } catch (error) {
      throw instance.explain(error);
    } finally {
      instance.settle();
      instance.release();
    }
  };

  const handler = handlerKey(transpiled.exports.map(([name]) => name));
  const threads = config.threads ?? options.threads ?? defaultThreads();
  let handle = async (event: CloudEvent): Promise<CloudEvent[]> => {
    if (handler === undefined) {
      throw new SpindleError(`component ${config.id} does not export spindle:event/handler (worlds: ${[...worlds]})`);
    }
    // threads = 0: on the main thread, with no deadline (nothing can interrupt the guest).
    let outcome: ReturnType<typeof callHandle>;
    try {
      outcome = await pool.use((exports) => {
        notes.take();
        return withNotes(callHandle(exports, handler, event), notes.take());
      });
    } catch (cause) {
      const reason = withNotesText(message(cause), notes.take());
      throw new ComponentError(config.id, 'trap', reason, { cause, eventId: event.id });
    }
    return settleOutcome(config.id, event, outcome);
  };
  let closeThreads = async () => {};
  let load = (): PoolLoad => pool.load;
  if (threads > 0) {
    try {
      const threaded = await startThreadedHandler(
        {
          componentId: config.id,
          glue,
          modules: [...modules],
          handler,
          instances,
          environment: config.environment,
          files: config.files,
          variables,
          memoryLimitMb,
          maxOutputBytes,
          outbound,
        },
        { threads, timeoutMs: limits.timeoutMs, logger: options.logger },
      );
      if (handler !== undefined) handle = threaded.handle;
      call = threaded.call;
      closeThreads = threaded.close;
      load = threaded.load;
    } catch (cause) {
      throw fail(`cannot start its worker threads: ${message(cause)}`, cause);
    }
  }

  const run = handle;
  const runCall = call;
  return {
    id: config.id,
    worlds,
    instances,
    limits,
    // Checked before lowering: a record the host built wrong is its error, not a guest trap.
    handle: async (event) => run(checkEventInput(event)),
    call: (ref, input) => runCall(ref, input),
    load: () => load(),
    async close() {
      pool.close();
      await closeThreads();
    },
  };
}

function loadWagi(
  id: string,
  bytes: Uint8Array,
  settings: Pick<Component, 'instances' | 'limits'>,
  fail: (reason: string, cause?: unknown) => Error,
): Promise<Component> {
  return compileModule(bytes).then(
    (module) => {
      const exports = moduleExports(module);
      if (!exports.includes('_start')) {
        throw fail(
          `a core module without _start is not a Wagi command; exports found: ${exports.join(', ') || 'none'}`,
        );
      }
      const notAComponent = async (): Promise<never> => {
        throw new SpindleError(`component ${id} is a Wagi module: run its coreModule with node:wasi`);
      };
      return {
        id,
        worlds: new Set<World>(['wagi']),
        ...settings,
        coreModule: module,
        handle: notAComponent,
        call: notAComponent,
        close: async () => {},
      };
    },
    (cause: unknown) => {
      throw fail(`invalid core module: ${message(cause)}`, cause);
    },
  );
}

/** The values of the variables `config` declares (those `resolve` knows). */
function resolveVariables(
  config: ComponentConfig,
  resolve: (name: string) => string | undefined,
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of Object.keys(config.variables)) {
    const value = resolve(name);
    if (value !== undefined) values[name] = value;
  }
  return values;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
