import { Worker } from 'node:worker_threads';
import { ComponentError } from '../errors.ts';
import type { CloudEvent } from '../event.ts';
import type { Logger } from '../log.ts';
import { settleOutcome } from './event-handler.ts';
import { guestLog } from './guest-output.ts';
import { type Post, WorkerPool } from './worker-pool.ts';
import type { HandleRequest, WorkerMessage, WorkerSetup } from './worker-protocol.ts';

const WORKER = new URL('./event-worker.ts', import.meta.url);

export interface ThreadedHandler {
  handle(event: CloudEvent): Promise<CloudEvent[]>;
  close(): Promise<void>;
}

/**
 * `spindle:event/handler.handle` on `threads` worker threads, each with its own
 * instance(s) of the component, with a deadline per event. Resolves once every worker
 * has instantiated the component.
 */
export async function startThreadedHandler(
  setup: Omit<WorkerSetup, 'cells'>,
  options: { threads: number; timeoutMs: number; logger: Logger },
): Promise<ThreadedHandler> {
  const { componentId } = setup;
  const guestLine = guestLog(options.logger, componentId);
  const pool = new WorkerPool({
    size: options.threads,
    timeoutMs: options.timeoutMs,
    spawn: (cells) => new Worker(WORKER, { workerData: { ...setup, cells } satisfies WorkerSetup }),
    onMessage(message) {
      const log = message as Extract<WorkerMessage, { kind: 'log' }>;
      if (log.kind === 'log') guestLine(log.stream, log.line);
    },
  });
  await pool.start();

  return {
    async handle(event) {
      let reply: WorkerMessage;
      try {
        reply = (await pool.run(postEvent(event))) as WorkerMessage;
      } catch (cause) {
        // The deadline passed or the worker died: retrying may help, as for a trap.
        throw new ComponentError(componentId, 'trap', (cause as Error).message, { cause, eventId: event.id });
      }
      if (reply.kind === 'trap') throw new ComponentError(componentId, 'trap', reply.message, { eventId: event.id });
      if (reply.kind !== 'reply') throw new Error(`unexpected message from an event worker: ${reply.kind}`);
      return settleOutcome(componentId, event, reply.outcome);
    },
    close: () => pool.close(),
  };
}

/**
 * The event as the worker gets it. The caller keeps its event (the dispatcher may
 * dead-letter it), so the data is copied once, exactly its bytes (a Buffer may be a view
 * of a larger pool that cloning would copy whole), and the copy is moved, not cloned.
 */
function postEvent(event: CloudEvent): Post {
  return (worker, id, cell) => {
    if (event.data === undefined) return worker.postMessage({ id, cell, event } satisfies HandleRequest);
    const data = new Uint8Array(event.data); // a copy (Buffer's slice() would share memory)
    worker.postMessage({ id, cell, event: { ...event, data } } satisfies HandleRequest, [data.buffer]);
  };
}
