import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const SPINDLE_BIN = fileURLToPath(new URL('../../bin/spindle.js', import.meta.url));

export interface SpindleProcess {
  /** Base URL from the "Serving ..." banner. */
  url: URL;
  child: ChildProcess;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** Send a signal and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Run `spindle up ARGS --listen 127.0.0.1:0` as a user would and wait for its banner.
 * Fails with everything the process printed if it exits or stays silent.
 */
export async function startSpindle(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<SpindleProcess> {
  const child = spawn(process.execPath, [SPINDLE_BIN, 'up', '--listen', '127.0.0.1:0', ...args], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit');
  const url = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(`no "Serving" banner within ${options.timeoutMs ?? 60_000} ms`),
      options.timeoutMs ?? 60_000,
    );
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`spindle up ${args.join(' ')}: ${why}\n${output}`));
    };
    child.stdout?.on('data', () => {
      const match = /Serving (\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(new URL(match[1]));
      }
    });
    void exited.then(([code]) => fail(`exited with code ${code} before serving`));
  });
  return {
    url,
    child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
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
