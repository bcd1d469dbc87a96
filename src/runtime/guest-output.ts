import type { Logger } from '../log.ts';
import { io } from './preview2-shim.ts';

/**
 * What a guest may print per event, stdout and stderr together: bytes past the limit are
 * counted, not kept, so that a guest printing without end costs neither memory nor log
 * volume. The count is reported once per event (`reset`).
 */
export class OutputBudget {
  readonly limitBytes: number;
  #left: number;
  #dropped = 0;

  constructor(limitBytes: number) {
    this.limitBytes = limitBytes;
    this.#left = limitBytes;
  }

  /** How many of `length` bytes may be kept; the rest count as dropped. */
  take(length: number): number {
    const kept = Math.min(length, this.#left);
    this.#left -= kept;
    this.#dropped += length - kept;
    return kept;
  }

  /** Start the next event's budget; returns the bytes dropped during the last one. */
  reset(): number {
    const dropped = this.#dropped;
    this.#left = this.limitBytes;
    this.#dropped = 0;
    return dropped;
  }
}

/** An unbounded budget, for a buffer that is not given one. */
const UNBOUNDED = new OutputBudget(Number.POSITIVE_INFINITY);

/**
 * Collects a guest's stdout or stderr bytes and hands over whole lines, so that one
 * `console.log` becomes one log record however the guest chunks its writes. Only what
 * `budget` allows is kept.
 */
export class LineBuffer {
  readonly #emit: (line: string) => void;
  readonly #budget: OutputBudget;
  readonly #decoder = new TextDecoder();
  #pending = '';

  constructor(emit: (line: string) => void, budget: OutputBudget = UNBOUNDED) {
    this.#emit = emit;
    this.#budget = budget;
  }

  write(bytes: Uint8Array): void {
    const kept = this.#budget.take(bytes.length);
    if (kept > 0) this.#append(bytes.subarray(0, kept));
  }

  /** `length` zero bytes, allocating only those the budget keeps (the guest chooses the length). */
  writeZeroes(length: bigint): void {
    const kept = this.#budget.take(Number(length));
    if (kept > 0) this.#append(new Uint8Array(kept));
  }

  #append(bytes: Uint8Array): void {
    this.#pending += this.#decoder.decode(bytes, { stream: true });
    let newline = this.#pending.indexOf('\n');
    while (newline !== -1) {
      this.#emit(this.#pending.slice(0, newline).replace(/\r$/, ''));
      this.#pending = this.#pending.slice(newline + 1);
      newline = this.#pending.indexOf('\n');
    }
  }

  /** Emit a trailing partial line (end of an invocation). */
  flush(): void {
    this.#pending += this.#decoder.decode();
    if (this.#pending !== '') this.#emit(this.#pending);
    this.#pending = '';
  }
}

// Room the guest may write at once; anything larger is split by the guest.
const WRITE_BUDGET = 1n << 20n;

/**
 * A `wasi:io/streams.output-stream` writing into a LineBuffer. It must be an instance of
 * the shim's OutputStream class, which the generated glue checks with `instanceof`;
 * every method the guest can call is overridden, so the shim's own (host stdout) never runs.
 */
export function outputStream(buffer: LineBuffer): object {
  const Base = io.streams.OutputStream as unknown as new () => object;
  class GuestOutput extends Base {
    checkWrite(): bigint {
      return WRITE_BUDGET;
    }
    write(bytes: Uint8Array): void {
      buffer.write(bytes);
    }
    blockingWriteAndFlush(bytes: Uint8Array): void {
      buffer.write(bytes);
    }
    flush(): void {}
    blockingFlush(): void {}
    writeZeroes(length: bigint): void {
      buffer.writeZeroes(length);
    }
    blockingWriteZeroesAndFlush(length: bigint): void {
      buffer.writeZeroes(length);
    }
    splice(): never {
      throw { tag: 'closed' };
    }
    blockingSplice(): never {
      throw { tag: 'closed' };
    }
    subscribe(): never {
      // Writes never block, so a guest has no reason to wait; fail loudly if one does.
      throw new Error('spindle: subscribe() on guest stdout/stderr is not supported');
    }
  }
  return new GuestOutput();
}

/** A `wasi:io/streams.input-stream` that is already closed: guests get no stdin. */
export function closedInputStream(): object {
  const Base = io.streams.InputStream as unknown as new () => object;
  const closed = (): never => {
    throw { tag: 'closed' };
  };
  class ClosedInput extends Base {
    read = closed;
    blockingRead = closed;
    skip = closed;
    blockingSkip = closed;
    subscribe(): never {
      throw new Error('spindle: subscribe() on guest stdin is not supported');
    }
  }
  return new ClosedInput();
}

/** Where a guest's output goes. */
export interface GuestOutput {
  /** One whole line the guest wrote to stdout or stderr. */
  line(stream: 'stdout' | 'stderr', text: string): void;
  /** At the end of an event: it printed `bytes` more than its limit of `limitBytes`. */
  dropped(bytes: number, limitBytes: number): void;
}

/**
 * The log: one record per guest line, tagged with the component id (stderr as warnings),
 * and one warning per event that printed past its limit.
 */
export function guestLog(logger: Logger, componentId: string): GuestOutput {
  return {
    line(stream, text) {
      if (stream === 'stdout') logger.info({ component: componentId, stream }, text);
      else logger.warn({ component: componentId, stream }, text);
    },
    dropped(bytes, limitBytes) {
      logger.warn(
        { component: componentId, droppedBytes: bytes },
        `guest output over its limit of ${limitBytes / 1024} KiB for one event (max_output_kb): dropped ${bytes} bytes`,
      );
    },
  };
}
