import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { spawnUntil, type UntilProcess } from './spawn-until.ts';
import { waitFor } from './wait.ts';

export const SPINDLE_BIN = fileURLToPath(new URL('../../bin/spindle.js', import.meta.url));

export const HEALTH_ROUTE = '/.well-known/spin/health';
export const READY_ROUTE = '/.well-known/spindle/ready';

export interface SpindleProcess extends UntilProcess {
  /** Base URL from the "Serving ..." banner (or the "listening on ..." log line). */
  url: URL;
}

/**
 * Run `spindle up ARGS --listen 127.0.0.1:0` as a user would and wait for its banner,
 * printed once every trigger started; with `listening`, only until it listens (its
 * triggers may still be connecting). Fails with everything the process printed if it
 * exits or stays silent.
 */
export async function startSpindle(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; listening?: boolean } = {},
): Promise<SpindleProcess> {
  const process_ = await spawnUntil(process.execPath, [SPINDLE_BIN, 'up', '--listen', '127.0.0.1:0', ...args], {
    ...options,
    until: options.listening ? /listening on (http\S+?);/ : /Serving (\S+)/,
  });
  return { ...process_, url: new URL(process_.match[1] ?? '') };
}

/** Status and body of the readiness route. */
export async function readiness(url: URL): Promise<{ status: number; body: unknown }> {
  const response = await fetch(new URL(READY_ROUTE, url));
  return { status: response.status, body: await response.json() };
}

/** Wait until the readiness route answers 200: every trigger connected and consuming. */
export async function waitReady(url: URL, timeoutMs = 30_000): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      const answer = await readiness(url);
      last = answer.body;
      return answer.status === 200;
    },
    { what: `readiness of ${url.href}`, timeoutMs, intervalMs: 100 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}; last answer ${JSON.stringify(last)}`, { cause: error });
  });
}

/** Run a spindle command to completion: exit code and output. */
export async function runSpindle(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [SPINDLE_BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

/** `spindle build` examples/transform as a user would (a no-op when up to date); its component's path. */
export async function buildExampleTransform(): Promise<string> {
  const example = fileURLToPath(new URL('../../examples/transform', import.meta.url));
  const build = await runSpindle(['build', '-f', example]);
  if (build.code !== 0) throw new Error(`spindle build -f ${example} exited with ${build.code}:\n${build.stderr}`);
  return `${example}/transform.wasm`;
}

/** `spindle up -f DIR --log-format json`, killed after the test by `cleanups`. */
export async function startSpindleApp(
  dir: string,
  cleanups: { push(cleanup: () => Promise<unknown>): void },
): Promise<SpindleProcess> {
  const process = await startSpindle(['-f', dir, '--log-format', 'json']);
  cleanups.push(() => process.stop('SIGKILL'));
  return process;
}
