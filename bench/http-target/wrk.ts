/**
 * Load from wrk (Debian's `wrk`), when it is installed: a C load generator costs far
 * less CPU per request than load.ts, which matters on a small machine where the load
 * generator shares the cores with the target. Same request, same figures as load.ts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventBody } from './event-body.ts';

const script = (body: string) => `wrk.method = "POST"
wrk.body = '${body}'
wrk.headers["ce-specversion"] = "1.0"
wrk.headers["ce-id"] = "bench-1"
wrk.headers["ce-source"] = "/bench"
wrk.headers["ce-type"] = "io.triggermesh.bench"
wrk.headers["content-type"] = "application/json"
`;

/**
 * A constant arrival rate (wrk is a closed loop): every request takes the next slot of
 * a fixed schedule shared by all connections and waits for it (wrk's \`delay\`, in whole
 * ms); one whose slot has passed goes at once. The clock is CLOCK_MONOTONIC via LuaJIT's ffi.
 */
const pacing = (rate: number) => `local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local clock = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end
local interval = ${1000 / rate}
local next_slot = nil
function delay()
  local now = now_ms()
  next_slot = math.max(next_slot or now, now - 1000) + interval
  return math.max(0, math.floor(next_slot - interval - now))
end
`;

export function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version; only a missing binary is ENOENT.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

/**
 * wrk's figures for `seconds` of load: closed loop, or `rate` requests per second;
 * `bytes` sizes the event's data (load.ts's `--bytes`).
 */
export function wrkLoad(url: string, concurrency: string, seconds: string, bytes = 0, rate?: number) {
  const file = join(tmpdir(), `spindle-bench-post-${bytes}-${rate ?? 'closed'}.lua`);
  writeFileSync(file, script(eventBody(bytes)) + (rate === undefined ? '' : pacing(rate)));
  const out = execFileSync('wrk', ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--latency', '-s', file, url], {
    encoding: 'utf8',
  });
  const number = (re: RegExp) => Number(re.exec(out)?.[1] ?? Number.NaN);
  const ms = (re: RegExp) => {
    const match = re.exec(out);
    if (!match?.[1]) return Number.NaN;
    const scale = match[2] === 'us' ? 0.001 : match[2] === 's' ? 1000 : 1;
    return Number((Number(match[1]) * scale).toFixed(2));
  };
  return {
    events: number(/(\d+) requests in/),
    failures: number(/Non-2xx or 3xx responses: (\d+)/) || 0,
    eventsPerSecond: Math.round(number(/Requests\/sec:\s+([\d.]+)/)),
    p50ms: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99ms: ms(/99%\s+([\d.]+)(us|ms|s)/),
  };
}
