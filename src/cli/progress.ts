/**
 * Progress of a long command (a build, a componentize): one line per step, each with the
 * seconds it took. On a terminal the current step ticks its elapsed time in place; piped
 * or in CI (not a TTY) only whole lines are written, so logs stay readable.
 */
const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export class Progress {
  readonly #out: NodeJS.WriteStream;
  #label = '';
  #started = 0;
  #ticker: NodeJS.Timeout | undefined;

  readonly #live: boolean;

  /** `live: false` writes whole lines even on a terminal (when a child process draws on it too). */
  constructor(options: { out?: NodeJS.WriteStream; live?: boolean } = {}) {
    this.#out = options.out ?? process.stdout;
    this.#live = (options.live ?? true) && this.#out.isTTY === true;
  }

  /** Begin a step (ending the one before). */
  step(label: string): void {
    this.#stopTicker();
    this.#label = label;
    this.#started = performance.now();
    if (!this.#live) {
      this.#out.write(`${label}...\n`);
      return;
    }
    let frame = 0;
    const draw = () => this.#out.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label} ${this.#elapsed()}\u001b[K`);
    draw();
    this.#ticker = setInterval(draw, 100);
    this.#ticker.unref();
  }

  /** End the current step with `message` (default its label) and the seconds it took. */
  done(message = this.#label): void {
    const line = `${message} (${this.#elapsed()})`;
    this.#stopTicker();
    this.#out.write(this.#live ? `\r${line}\u001b[K\n` : `${line}\n`);
  }

  /** End the current step as failed (the error itself is reported by the caller). */
  fail(): void {
    this.done(`${this.#label}: failed`);
  }

  #elapsed(): string {
    return `${((performance.now() - this.#started) / 1000).toFixed(1)} s`;
  }

  #stopTicker(): void {
    if (this.#ticker !== undefined) clearInterval(this.#ticker);
    this.#ticker = undefined;
  }
}
