import { existsSync, readFileSync } from 'node:fs';

/** Whether this system reports a process's memory in /proc (Linux). */
export const HAS_PROC = existsSync('/proc/self/status');

/**
 * A process's resident memory from /proc/<pid>/status, in MB: `VmRSS` now, or `VmHWM`,
 * its peak so far (all threads of the process: the workers' wasm memories included).
 */
export function residentMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kb === undefined) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(kb) / 1024;
}
