import { appendFileSync } from 'node:fs';
import { availableParallelism as cores } from 'node:os';
import { CLOCK_TICKS, machineTicks, processTicks, type ThreadTime, threadTimes } from './proc-times.ts';

export interface WindowRecord {
  broker: string;
  program: 'spindle' | 'plain';
  /** The consumer process; its CPU profiles are named after it. */
  pid: number;
  /** Events between the window's ends (the first output event is its start). */
  events: number;
  /** On the monotonic clock, microseconds: the clock of V8's CPU profiles. */
  fromUs: number;
  toUs: number;
  /** CPU time of each of the consumer's threads inside the window, ms. */
  threads: { tid: number; name: string; cpuMs: number }[];
  /** CPU time of the broker's server processes inside the window (whoever they worked for), ms. */
  brokerCpuMs: number;
  /** Cores busy over the window: the whole machine's CPU time (every process's). */
  machineCores: number;
}

type About = Pick<WindowRecord, 'broker' | 'program' | 'events'> & {
  pid: number | undefined;
  /** The broker's server processes: how their names start, and their parent if it is this one. */
  brokerProcess: { prefix: string; parent?: number };
};

/**
 * The measured stretch of one run (first output event to the Nth), appended as a JSON
 * line to the file named by BENCH_WINDOWS when it is set, so that bench/profile-summary.ts
 * counts only the CPU profile samples inside it. With it go CPU times over the stretch
 * from /proc (Linux): each of the consumer's threads (a profile's busy time also counts
 * the time a thread waited for a core, which on a shared machine is not small), the
 * broker's, and the whole machine's.
 */
export class MeasuredWindow {
  readonly #file = process.env.BENCH_WINDOWS;
  readonly #about: About;
  #fromMs = 0;
  #threads = new Map<number, ThreadTime>();
  #broker = 0;
  #machine = { busy: 0, all: 0 };

  constructor(about: About) {
    this.#about = about;
  }

  /** At the first output event, `atMs` on performance.now()'s clock; returns it (`first ??= open(now)`). */
  open(atMs: number): number {
    this.#fromMs = atMs;
    if (!this.#file || this.#about.pid === undefined) return atMs;
    this.#threads = threadTimes(this.#about.pid);
    this.#broker = processTicks(this.#about.brokerProcess);
    this.#machine = machineTicks();
    return atMs;
  }

  /** At the Nth: the record goes to the file. */
  close(atMs: number): void {
    const { pid, brokerProcess, ...about } = this.#about;
    if (!this.#file || pid === undefined) return;
    const ms = (ticks: number) => (1000 * ticks) / CLOCK_TICKS;
    const threads = [...threadTimes(pid)].map(([tid, { name, ticks }]) => ({
      tid,
      name,
      cpuMs: ms(ticks - (this.#threads.get(tid)?.ticks ?? 0)),
    }));
    const machine = machineTicks();
    const machineCores = (machine.busy - this.#machine.busy) / ((machine.all - this.#machine.all) / cores());
    // performance.now() and process.hrtime() both count from libuv's monotonic clock.
    const offsetMs = Number(process.hrtime.bigint()) / 1e6 - performance.now();
    const us = (at: number) => Math.round((at + offsetMs) * 1000);
    const record: WindowRecord = {
      ...about,
      pid,
      fromUs: us(this.#fromMs),
      toUs: us(atMs),
      threads,
      brokerCpuMs: ms(processTicks(brokerProcess) - this.#broker),
      machineCores: Number(machineCores.toFixed(2)),
    };
    appendFileSync(this.#file, `${JSON.stringify(record)}\n`);
  }
}
