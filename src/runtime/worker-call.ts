import { ComponentError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { type CallOutcome, type GuestCallRef, outcomeError } from './guest-call.ts';
import { MemoryLimitExceeded } from './memory-limit.ts';
import { WorkerFailure, type WorkerPool } from './worker-pool.ts';
import type { CallRequest, WorkerMessage } from './worker-protocol.ts';

/**
 * Runs adapters' guest calls (guest-call.ts) on a component's worker pool, the one its
 * events use: one call per request, under the same deadline and memory limit.
 */
export function workerCalls(
  pool: WorkerPool,
  settings: { componentId: string; memoryLimitMb: number; logger: Logger },
): <Input, Output>(ref: GuestCallRef<Input, Output>, input: Input) => Promise<Output> {
  const { componentId, memoryLimitMb, logger } = settings;
  return async <Input, Output>(ref: GuestCallRef<Input, Output>, input: Input): Promise<Output> => {
    let outcome: CallOutcome;
    try {
      const reply = await pool.run((worker, id, cell) => {
        const call = { ref: { module: ref.module, export: ref.export }, input };
        worker.postMessage({ id, cell, call } satisfies CallRequest);
      });
      outcome = (reply as Extract<WorkerMessage, { kind: 'called' }>).outcome;
    } catch (cause) {
      throw new ComponentError(componentId, 'trap', stoppedReason(cause, memoryLimitMb), { cause });
    }
    return settleCall(componentId, outcome, logger);
  };
}

/**
 * A call's outcome as its output, or its error. Its outbound notes are logged: the other
 * worlds have no event error to carry them.
 */
export function settleCall<Output>(componentId: string, outcome: CallOutcome, logger: Logger): Output {
  for (const note of outcome.notes) logger.warn({ component: componentId }, note);
  if ('ok' in outcome) return outcome.ok as Output;
  throw new ComponentError(componentId, 'trap', outcome.trap, { cause: outcomeError(outcome) });
}

/** Why the pool could not complete a call: its worker's JavaScript heap filled, or the failure's own words. */
export function stoppedReason(cause: unknown, memoryLimitMb: number): string {
  const error = cause instanceof WorkerFailure ? cause.cause : undefined;
  // A worker that V8 stopped at its `resourceLimits` (ERR_WORKER_OUT_OF_MEMORY).
  if ((error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new MemoryLimitExceeded(memoryLimitMb, "its worker's JavaScript heap is full", { cause }).message;
  }
  return cause instanceof Error ? cause.message : String(cause);
}
