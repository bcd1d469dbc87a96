import { streams } from '@bytecodealliance/preview2-shim/io';
import type { Logger } from '../log.ts';

/**
 * Collects a guest's stdout or stderr bytes and hands over whole lines, so that one
 * `console.log` becomes one log record however the guest chunks its writes.
 */
export class LineBuffer {
  readonly #emit: (line: string) => void;
  readonly #decoder = new TextDecoder();
  #pending = '';

  constructor(emit: (line: string) => void) {
    this.#emit = emit;
  }

  write(bytes: Uint8Array): void {
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
  const Base = streams.OutputStream as unknown as new () => object;
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
      buffer.write(new Uint8Array(Number(length)));
    }
    blockingWriteZeroesAndFlush(length: bigint): void {
      buffer.write(new Uint8Array(Number(length)));
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
  const Base = streams.InputStream as unknown as new () => object;
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

/** Where a guest's output lines go: the log, tagged with the component id (stderr as warnings). */
export function guestLog(logger: Logger, componentId: string): (stream: 'stdout' | 'stderr', line: string) => void {
  return (stream, line) => {
    if (stream === 'stdout') logger.info({ component: componentId, stream }, line);
    else logger.warn({ component: componentId, stream }, line);
  };
}
