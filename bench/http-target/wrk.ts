/**
 * Load from wrk (Debian's `wrk`), when it is installed: a C load generator costs far
 * less CPU per request than load.ts, which matters on a small machine where the load
 * generator shares the cores with the target. Same request, same figures as load.ts.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = `wrk.method = "POST"
wrk.body = '{"name":"spindle","count":1}'
wrk.headers["ce-specversion"] = "1.0"
wrk.headers["ce-id"] = "bench-1"
wrk.headers["ce-source"] = "/bench"
wrk.headers["ce-type"] = "io.triggermesh.bench"
wrk.headers["content-type"] = "application/json"
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

export function wrkLoad(url: string, concurrency: string, seconds: string) {
  const script = join(tmpdir(), 'spindle-bench-post.lua');
  writeFileSync(script, SCRIPT);
  const out = execFileSync('wrk', ['-t1', `-c${concurrency}`, `-d${seconds}s`, '--latency', '-s', script, url], {
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
