/**
 * The cap on events in flight over every trigger of an app (`max_events_in_flight`).
 * Broker triggers wait for room in `dispatch` (they await it before fetching more, so a
 * full app stops fetching); HTTP triggers ask `tryEnter` and answer 503 when it is full.
 */
export type Release = () => void;

export class Admission {
  readonly limit: number;
  #used = 0;
  readonly #waiting: { weight: number; admit: () => void }[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  get inFlight(): number {
    return this.#used;
  }

  /** No room for one more event: an HTTP trigger answers 503 rather than queue. */
  get full(): boolean {
    return this.#waiting.length > 0 || this.#used >= this.limit;
  }

  /** Room for `weight` events now, or undefined (the caller refuses the work). */
  tryEnter(weight = 1): Release | undefined {
    const w = this.#clamp(weight);
    if (this.#waiting.length > 0 || this.#used + w > this.limit) return undefined;
    return this.#take(w);
  }

  /** Wait (first come, first served) for room for `weight` events. */
  async enter(weight = 1): Promise<Release> {
    const now = this.tryEnter(weight);
    if (now !== undefined) return now;
    const w = this.#clamp(weight);
    // #wake reserves the room before it admits the waiter.
    await new Promise<void>((admit) => this.#waiting.push({ weight: w, admit }));
    return this.#releaser(w);
  }

  /** Run `work` holding room for `weight` events. */
  async run<T>(weight: number, work: () => Promise<T>): Promise<T> {
    const release = await this.enter(weight);
    try {
      return await work();
    } finally {
      release();
    }
  }

  // A batch larger than the whole cap takes all of it rather than waiting forever.
  #clamp(weight: number): number {
    return Math.min(Math.max(1, weight), this.limit);
  }

  #take(weight: number): Release {
    this.#used += weight;
    return this.#releaser(weight);
  }

  #releaser(weight: number): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#used -= weight;
      this.#wake();
    };
  }

  #wake(): void {
    for (let next = this.#waiting[0]; next && this.#used + next.weight <= this.limit; next = this.#waiting[0]) {
      this.#waiting.shift();
      // Reserve now so that a tryEnter between here and the waiter's resumption cannot take it.
      this.#used += next.weight;
      next.admit();
    }
  }
}
