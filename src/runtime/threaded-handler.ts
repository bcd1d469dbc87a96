import { Worker } from 'node:worker_threads';
import { ComponentError } from '../errors.ts';
import type { CloudEvent } from '../event.ts';
import type { Logger } from '../log.ts';
import { moduleUrl } from '../package-files.ts';
import type { PoolLoad } from './component.ts';
import { settleOutcome } from './event-handler.ts';
import type { GuestCallRef } from './guest-call.ts';
import { guestLog } from './guest-output.ts';
import { workerHeapMb } from './memory-limit.ts';
import { stoppedReason, workerCalls } from './worker-call.ts';
import { type Post, WorkerFailure, WorkerPool } from './worker-pool.ts';
import type { EventOutcome, HandleRequest, WorkerMessage, WorkerSetup } from './worker-protocol.ts';

const WORKER = moduleUrl('src/runtime/event-worker');

/**
 * Most events in one message to a worker. Events that arrive while the workers are busy
 * wait together and go over in one message, their outcomes back in one reply: one
 * hand-over each way for the lot instead of per event, and the trigger gets their
 * results in one turn of the event loop, so a broker sink sends them together
 * (bench/brokers/amqp: +11% events/s, write syscalls per event 2.4 -> 1.1). The cap
 * bounds what a batch adds to the latency of its first event (its neighbours' run time).
 */
const MAX_BATCH = 16;

export interface ThreadedHandler {
  handle(event: CloudEvent): Promise<CloudEvent[]>;
  /** An adapter's guest call, on the same workers (worker-call.ts). */
  call<Input, Output>(ref: GuestCallRef<Input, Output>, input: Input): Promise<Output>;
  /** Workers busy and idle, and events waiting for one (queued, or handed over behind a running one). */
  load(): PoolLoad;
  close(): Promise<void>;
}

interface Pending {
  event: CloudEvent;
  resolve(emitted: CloudEvent[]): void;
  reject(error: unknown): void;
}

/**
 * `spindle:event/handler.handle` and adapters' guest calls on `threads` worker threads,
 * each with its own instance(s) of the component, with a deadline per event or call.
 * Resolves once every worker has instantiated the component.
 */
export async function startThreadedHandler(
  setup: Omit<WorkerSetup, 'cells' | 'clock'>,
  options: { threads: number; timeoutMs: number; logger: Logger },
): Promise<ThreadedHandler> {
  const { componentId } = setup;
  const output = guestLog(options.logger, componentId);
  const pool = new WorkerPool({
    size: options.threads,
    timeoutMs: options.timeoutMs,
    spawn: (shared) =>
      new Worker(WORKER, {
        workerData: { ...setup, ...shared } satisfies WorkerSetup,
        // The glue's JavaScript heap; the guest's linear memory is capped in its module.
        resourceLimits: { maxOldGenerationSizeMb: workerHeapMb(setup.memoryLimitMb) },
      }),
    onMessage(raw) {
      const message = raw as WorkerMessage;
      if (message.kind === 'log') output.line(message.stream, message.line);
      else if (message.kind === 'dropped') output.dropped(message.bytes, message.limitBytes);
    },
  });
  await pool.start();

  const waiting: Pending[] = [];
  let inFlight = 0;
  /** Events of the batches in flight: one per busy worker runs, the others wait behind it. */
  let handedOver = 0;
  let closed = false;

  /** Hand waiting events to the pool, in batches, while its workers can take calls. */
  function submit(): void {
    while (inFlight < pool.capacity && waiting.length > 0) {
      const batch = waiting.splice(0, MAX_BATCH);
      inFlight++;
      handedOver += batch.length;
      pool
        .run(postEvents(batch.map((pending) => pending.event)))
        .then(
          (reply) => settle(batch, (reply as Extract<WorkerMessage, { kind: 'reply' }>).outcomes),
          (cause: unknown) => fail(batch, cause),
        )
        .finally(() => {
          inFlight--;
          handedOver -= batch.length;
          submit();
        });
    }
  }

  function settle(batch: Pending[], outcomes: EventOutcome[]): void {
    batch.forEach(({ event, resolve, reject }, index) => {
      const outcome = outcomes[index];
      try {
        if (outcome === undefined) throw new Error(`an event worker answered ${outcomes.length} of ${batch.length}`);
        if ('trap' in outcome) throw new ComponentError(componentId, 'trap', outcome.trap, { eventId: event.id });
        resolve(settleOutcome(componentId, event, outcome));
      } catch (error) {
        reject(error);
      }
    });
  }

  /**
   * The worker was stopped at a deadline or died: the event it was running fails as a
   * trap (retrying may help); the others of the batch go back to the front of the line,
   * to run again (those that had run: their outcomes were lost with the worker).
   */
  function fail(batch: Pending[], cause: unknown): void {
    const culprit = cause instanceof WorkerFailure && cause.kind !== 'closed' ? cause.item : undefined;
    const failing = culprit === undefined ? batch : batch.filter((_, index) => index === culprit);
    const reason = stoppedReason(cause, setup.memoryLimitMb);
    for (const { event, reject } of failing) {
      reject(new ComponentError(componentId, 'trap', reason, { cause, eventId: event.id }));
    }
    if (culprit !== undefined) waiting.unshift(...batch.filter((_, index) => index !== culprit));
  }

  return {
    call: workerCalls(pool, { componentId, memoryLimitMb: setup.memoryLimitMb, logger: options.logger }),
    load() {
      const { busy, idle } = pool.workers;
      return { busy, idle, waiting: waiting.length + Math.max(0, handedOver - busy) };
    },
    handle(event) {
      if (closed) return Promise.reject(new ComponentError(componentId, 'trap', 'the component is closed'));
      return new Promise<CloudEvent[]>((resolve, reject) => {
        waiting.push({ event, resolve, reject });
        submit();
      });
    },
    close() {
      closed = true;
      for (const { event, reject } of waiting.splice(0)) {
        reject(new ComponentError(componentId, 'trap', 'the component is closed', { eventId: event.id }));
      }
      return pool.close();
    },
  };
}

/**
 * The events as the worker gets them. The caller keeps its events (the dispatcher may
 * dead-letter them), so each one's data is copied once, exactly its bytes (a Buffer may
 * be a view of a larger pool that cloning would copy whole), and the copy is moved, not
 * cloned.
 */
function postEvents(events: CloudEvent[]): Post {
  return (worker, id, cell) => {
    const transfer: ArrayBuffer[] = [];
    const copies = events.map((event) => {
      if (event.data === undefined) return event;
      const data = new Uint8Array(event.data); // a copy (Buffer's slice() would share memory)
      transfer.push(data.buffer);
      return { ...event, data };
    });
    worker.postMessage({ id, cell, events: copies } satisfies HandleRequest, transfer);
  };
}
