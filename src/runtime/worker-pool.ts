import type { Worker } from 'node:worker_threads';
import { claim, claimCells, offer } from './worker-claim.ts';
import { type ItemClock, itemClock, runningItem } from './worker-clock.ts';

/**
 * A call the pool could not complete: the worker ran past the deadline, died, gave up
 * (`abandoned`: it asked to be stopped), or never started.
 */
export class WorkerFailure extends Error {
  override name = 'WorkerFailure';
  readonly kind: 'deadline' | 'died' | 'abandoned' | 'startup' | 'closed';
  /** For `deadline`, `died` and `abandoned`: the index of the item the worker was running, if it was running one. */
  readonly item: number | undefined;

  constructor(kind: WorkerFailure['kind'], message: string, options: { cause?: unknown; item?: number } = {}) {
    super(message, options);
    this.kind = kind;
    this.item = options.item;
  }
}

/** A worker's answer to one call: `{ kind, id, ... }` with the id it was posted with. */
export interface Reply {
  kind: string;
  id: number;
}

/** The memory a worker shares with its pool. */
export interface WorkerShared {
  /** Claim cells (worker-claim.ts). */
  cells: Int32Array;
  /** The item clock (worker-clock.ts). */
  clock: ItemClock;
}

export interface WorkerPoolOptions {
  size: number;
  /** How long one item of a call may run on a worker before the worker is terminated. */
  timeoutMs: number;
  /**
   * Starts a worker; it posts `{ kind: 'ready' }` once it takes calls, then one reply per
   * call, in order. A call posted with a cell index (not -1) runs only if
   * `claim(cells, cell, id)` (worker-claim.ts) succeeds; otherwise the worker skips it
   * without a reply. A call holds one or more items (events); the worker stamps each on
   * `clock` as it starts and ends it (worker-clock.ts).
   */
  spawn(shared: WorkerShared): Worker;
  /**
   * Any other message from a worker (e.g. guest log lines). A worker that cannot go on
   * posts `{ kind: 'abandon', reason }`: it is stopped and replaced, its running item
   * failing with `reason`.
   */
  onMessage?(message: unknown): void;
}

/**
 * Posts one call's request to `worker` as `{ id, cell, ...request }` (called per send:
 * a call that is moved or retried is posted anew).
 */
export type Post = (worker: Worker, id: number, cell: number) => void;

interface Call {
  id: number;
  /** The claim cell its offer sits in while it waits on a worker; -1: posted to an idle worker. */
  cell: number;
  post: Post;
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  cells: Int32Array;
  clock: ItemClock;
  ready: boolean;
  /** Posted and not yet answered, in order: the first is running. */
  calls: Call[];
  /** The deadline check (#arm), pending while the worker has calls. */
  timer: NodeJS.Timeout | undefined;
  error: Error | undefined;
  started: Promise<void>;
}

/**
 * A worker holds its running call and at most one waiting call: the waiting one hides
 * the round trip of a reply (measured: ~80 µs instead of ~150 µs per event under load),
 * and a worker that falls idle takes it over if it still waits (worker-claim.ts).
 */
const PIPELINE = 2;

/**
 * A fixed number of worker threads taking calls from one queue, with a deadline per item
 * of a call: from the moment the worker starts it (its stamp on the item clock). A worker
 * past a deadline is terminated, one that dies is replaced; either way only its running
 * call fails (the failure names the item), and the calls waiting behind it go back to the
 * front of the queue for another worker.
 */
export class WorkerPool {
  readonly #options: WorkerPoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue: Call[] = [];
  #nextId = 0;
  #closed = false;

  constructor(options: WorkerPoolOptions) {
    this.#options = options;
  }

  /** Start every worker; rejects if one cannot start (the pool is then closed). */
  async start(): Promise<void> {
    this.#fill();
    try {
      await Promise.all([...this.#slots].map((slot) => slot.started));
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /** How many calls the workers take at once (the rest wait in the pool's queue). */
  get capacity(): number {
    return this.#options.size * PIPELINE;
  }

  /** Workers running a call, and started ones without. */
  get workers(): { busy: number; idle: number } {
    const slots = [...this.#slots];
    return {
      busy: slots.filter((slot) => slot.calls.length > 0).length,
      idle: slots.filter((slot) => slot.ready && slot.calls.length === 0).length,
    };
  }

  run(post: Post): Promise<Reply> {
    if (this.#closed) return Promise.reject(new WorkerFailure('closed', 'the component is closed'));
    return new Promise((resolve, reject) => {
      this.#nextId = (this.#nextId % 0x7fffffff) + 1; // a positive int32, for the claim cell
      this.#queue.push({ id: this.#nextId, cell: -1, post, resolve, reject });
      this.#fill();
      this.#pump();
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    const closed = new WorkerFailure('closed', 'the component is closed');
    const slots = [...this.#slots];
    const calls = [...this.#queue.splice(0), ...slots.flatMap((slot) => this.#retire(slot))];
    for (const call of calls) call.reject(closed);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  /** Replace missing workers (a worker that failed to start is replaced on the next call). */
  #fill(): void {
    while (!this.#closed && this.#slots.size < this.#options.size) this.#spawn();
  }

  #spawn(): void {
    const cells = claimCells(PIPELINE);
    const clock = itemClock();
    const worker = this.#options.spawn({ cells, clock });
    let started!: { resolve(): void; reject(error: Error): void };
    const slot: Slot = {
      worker,
      cells,
      clock,
      ready: false,
      calls: [],
      timer: undefined,
      error: undefined,
      started: new Promise<void>((resolve, reject) => {
        started = { resolve, reject };
      }),
    };
    slot.started.catch(() => {}); // observed by start() only
    this.#slots.add(slot);
    worker.on('message', (message: unknown) => {
      const kind = (message as { kind?: unknown } | null)?.kind;
      if (isReply(message)) this.#answer(slot, message);
      else if (kind === 'ready') {
        slot.ready = true;
        started.resolve();
        this.#pump();
      } else if (kind === 'abandon' && this.#slots.has(slot)) {
        const reason = String((message as { reason?: unknown }).reason);
        this.#fail(slot, new WorkerFailure('abandoned', reason, { item: runningItem(slot.clock)?.index }));
      } else this.#options.onMessage?.(message);
    });
    worker.on('error', (error) => {
      slot.error = error;
    });
    worker.on('exit', (code) => {
      if (!this.#slots.has(slot)) return; // retired on purpose
      const reason = slot.error?.message ?? `exit code ${code}`;
      if (!slot.ready) {
        this.#retire(slot);
        const failure = new WorkerFailure('startup', `its worker thread failed to start: ${reason}`, {
          cause: slot.error,
        });
        started.reject(failure);
        // No worker is ready or starting to take the queue: fail it rather than let it wait forever.
        if (this.#slots.size === 0) {
          for (const call of this.#queue.splice(0)) call.reject(failure);
        }
        return;
      }
      const item = runningItem(slot.clock)?.index;
      const failure = new WorkerFailure('died', `its worker thread died: ${reason}`, { cause: slot.error, item });
      this.#fail(slot, failure);
    });
    this.#updateRef(slot);
  }

  #answer(slot: Slot, reply: Reply): void {
    const call = slot.calls[0];
    if (call?.id !== reply.id) return; // the answer to a call already failed (cannot happen in order)
    slot.calls.shift();
    if (slot.calls.length === 0) this.#disarm(slot);
    this.#updateRef(slot);
    call.resolve(reply);
    this.#pump();
  }

  /** The running call fails with `failure`; the worker is replaced, the others are queued again. */
  #fail(slot: Slot, failure: WorkerFailure): void {
    const [running, ...waiting] = this.#retire(slot);
    this.#queue.unshift(...waiting);
    running?.reject(failure);
    this.#fill();
    this.#pump();
  }

  /** Forget `slot` (its exit is then expected) and return its calls. */
  #retire(slot: Slot): Call[] {
    this.#slots.delete(slot);
    this.#disarm(slot);
    const calls = slot.calls.splice(0);
    void slot.worker.terminate();
    return calls;
  }

  #pump(): void {
    while (this.#queue.length > 0) {
      const target = this.#leastBusy();
      if (target === undefined) return;
      this.#send(target, this.#queue.shift() as Call);
    }
    // Nothing queued: an idle worker takes over a call still waiting behind a running one.
    for (const idle of this.#slots) {
      if (!idle.ready || idle.calls.length > 0) continue;
      takeOver: for (const busy of this.#slots) {
        for (let index = busy.calls.length - 1; index >= 1; index--) {
          const waiting = busy.calls[index] as Call;
          if (claim(busy.cells, waiting.cell, waiting.id)) {
            busy.calls.splice(index, 1);
            this.#send(idle, waiting);
            break takeOver;
          }
        }
      }
    }
  }

  #leastBusy(): Slot | undefined {
    let target: Slot | undefined;
    for (const slot of this.#slots) {
      if (!slot.ready || slot.calls.length >= PIPELINE) continue;
      if (target === undefined || slot.calls.length < target.calls.length) target = slot;
    }
    return target;
  }

  #send(slot: Slot, call: Call): void {
    const ahead = slot.calls[0];
    // Behind a call: offered in a cell no call still on this worker uses (one may hold an
    // offer the worker has not taken yet).
    call.cell = ahead === undefined ? -1 : freeCell(slot.calls);
    if (ahead !== undefined) offer(slot.cells, call.cell, call.id);
    try {
      call.post(slot.worker, call.id, call.cell);
    } catch (error) {
      call.reject(error as Error); // e.g. a value that cannot be cloned
      return;
    }
    slot.calls.push(call);
    if (slot.timer === undefined) this.#arm(slot, this.#options.timeoutMs);
    this.#updateRef(slot);
  }

  /**
   * Check `slot`'s running item in `delayMs`: past its deadline, the worker is stopped;
   * otherwise check again when its deadline would come (an item started after the last
   * check, or none running yet, gets a whole `timeoutMs`).
   */
  #arm(slot: Slot, delayMs: number): void {
    slot.timer = setTimeout(() => {
      const { timeoutMs } = this.#options;
      const running = runningItem(slot.clock);
      const age = running === undefined ? 0 : Date.now() - running.startedAt;
      if (age < timeoutMs) return this.#arm(slot, timeoutMs - age);
      const failure = new WorkerFailure('deadline', `exceeded its deadline of ${timeoutMs} ms (timeout_ms)`, {
        item: running?.index,
      });
      this.#fail(slot, failure);
    }, delayMs);
  }

  #disarm(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.timer = undefined;
  }

  /** A worker keeps the process alive only while it starts or has calls: an idle pool never does. */
  #updateRef(slot: Slot): void {
    if (!slot.ready || slot.calls.length > 0) slot.worker.ref();
    else slot.worker.unref();
  }
}

function isReply(message: unknown): message is Reply {
  return typeof message === 'object' && message !== null && typeof (message as Reply).id === 'number';
}

/** The lowest claim cell that none of `calls` (a worker's line, shorter than PIPELINE) holds. */
function freeCell(calls: readonly Call[]): number {
  let cell = 0;
  while (calls.some((c) => c.cell === cell)) cell++;
  return cell;
}
