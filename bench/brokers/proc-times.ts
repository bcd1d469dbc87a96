/** CPU times from Linux's /proc, in clock ticks (USER_HZ); empty or zero elsewhere. */
import { readdirSync, readFileSync } from 'node:fs';

/** USER_HZ: 100 on every Linux architecture Node runs on. */
export const CLOCK_TICKS = 100;

export interface ThreadTime {
  name: string;
  /** utime + stime. */
  ticks: number;
  /** Of a process: its parent's pid. */
  ppid: number;
}

/** Each thread of process `pid`, by thread id. */
export function threadTimes(pid: number): Map<number, ThreadTime> {
  const times = new Map<number, ThreadTime>();
  for (const tid of list(`/proc/${pid}/task`)) {
    const time = statTime(`/proc/${pid}/task/${tid}/stat`);
    if (time !== undefined) times.set(Number(tid), time);
  }
  return times;
}

/**
 * The processes whose name starts with `name.prefix` (the broker's server, say), all
 * their threads, summed; only the children of `name.parent` when it is given.
 */
export function processTicks(name: { prefix: string; parent?: number }): number {
  let ticks = 0;
  for (const pid of list('/proc').filter((entry) => /^\d+$/.test(entry))) {
    const time = statTime(`/proc/${pid}/stat`);
    if (time === undefined || !time.name.startsWith(name.prefix)) continue;
    if (name.parent === undefined || time.ppid === name.parent) ticks += time.ticks;
  }
  return ticks;
}

/** All CPUs' time since boot: busy (not idle, not waiting for I/O) and all. */
export function machineTicks(): { busy: number; all: number } {
  try {
    const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.trim().split(/\s+/) ?? [];
    const ticks = fields.slice(0, 8).map(Number); // user nice system idle iowait irq softirq steal
    const all = ticks.reduce((sum, n) => sum + n, 0);
    return { busy: all - (ticks[3] ?? 0) - (ticks[4] ?? 0), all };
  } catch {
    return { busy: 0, all: 0 };
  }
}

function list(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // not Linux, or the process is gone
  }
}

/** "pid (name) state ...": the name may hold spaces and parentheses, the fields after it do not. */
function statTime(path: string): ThreadTime | undefined {
  try {
    const stat = readFileSync(path, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { name, ticks: Number(fields[11]) + Number(fields[12]), ppid: Number(fields[1]) };
  } catch {
    return undefined; // it ended in between
  }
}
