/**
 * Spin's Wagi executor (`executor = { type = "wagi" }`): a WASI preview1 command module
 * run as CGI with node:wasi, once per request, on a worker thread of its own
 * (wagi-worker.ts) stopped at the component's deadline (`timeout_ms`). The body is its
 * stdin; the CGI variables and Spin's route variables are its environment (over the
 * component's own); argv comes from the `argv` template; stdout is parsed as a CGI
 * response. Its stderr goes to spindle's log, a line a record tagged with the component
 * id, up to the component's output limit (`max_output_kb`).
 *
 * node:wasi takes stdio as file descriptors, so each run gets three temporary files.
 */
import { randomUUID } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  type Component,
  type ComponentConfig,
  type GuestOutput,
  guestLog,
  LineBuffer,
  type Logger,
  OutputBudget,
} from '../../src/adapter.ts';
import { MalformedCgiResponse, parseCgiResponse } from './cgi-response.ts';
import { type Executor, GuestFailure } from './executor.ts';
import { cgiEnvironment, wagiArgv } from './wagi-env.ts';
import type { WagiResult, WagiRun } from './wagi-worker.ts';

const WORKER = new URL(`./wagi-worker${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`, import.meta.url);

export interface WagiOptions {
  /** The exported function to run; Wagi's default is `_start`. */
  entrypoint: string;
  /** The argv template; Wagi's default is `${SCRIPT_NAME} ${ARGS}`. */
  argv: string;
}

/** A Wagi executor, and the temporary directory it owns (removed by `close`). */
export async function wagiExecutor(
  component: Component,
  config: Pick<ComponentConfig, 'environment' | 'files'>,
  options: WagiOptions,
  logger: Logger,
): Promise<{ execute: Executor; close(): Promise<void> }> {
  const module = component.coreModule;
  if (module === undefined) throw new Error(`component ${component.id} is not a WASI preview1 module`);
  const dir = await mkdtemp(join(tmpdir(), 'spindle-wagi-'));
  const preopens = Object.fromEntries(config.files.map((mount) => [mount.destination, mount.source]));
  const output = guestLog(logger, component.id);

  const execute: Executor = async (request) => {
    const base = join(dir, randomUUID());
    const files = { stdin: `${base}.in`, stdout: `${base}.out`, stderr: `${base}.err` };
    try {
      writeFileSync(files.stdin, request.body);
      const env = { ...config.environment, ...cgiEnvironment({ ...request, bodyLength: request.body.length }) };
      const args = wagiArgv(options.argv, request.info.pathAndQuery);
      const result = await runOnThread(
        { module, entrypoint: options.entrypoint, args, env, preopens, files },
        component.limits.timeoutMs,
      ).finally(() => logStderr(files.stderr, component.limits.maxOutputBytes, output));
      if ('missingEntrypoint' in result) {
        throw new GuestFailure(500, `component ${component.id} has no exported function '${options.entrypoint}'`);
      }
      if (result.exitCode !== 0) {
        throw new GuestFailure(500, `component ${component.id} exited with code ${result.exitCode}`);
      }
      return parseCgiResponse(readFileSync(files.stdout));
    } catch (cause) {
      if (cause instanceof GuestFailure) throw cause;
      if (cause instanceof MalformedCgiResponse) {
        throw new GuestFailure(502, `component ${component.id} printed a malformed CGI response: ${cause.message}`, {
          cause,
        });
      }
      throw new GuestFailure(500, `component ${component.id} trapped: ${(cause as Error)?.message ?? cause}`, {
        cause,
      });
    } finally {
      for (const file of Object.values(files)) rmSync(file, { force: true });
    }
  };

  /** One run on a new thread: its result, a trap, or a timeout (the thread is terminated). */
  const runOnThread = (run: WagiRun, timeoutMs: number) =>
    new Promise<WagiResult>((resolve, reject) => {
      // node:wasi's ExperimentalWarning would otherwise be printed once per request.
      const worker = new Worker(WORKER, { workerData: run, execArgv: ['--disable-warning=ExperimentalWarning'] });
      const timer = setTimeout(() => {
        reject(
          new GuestFailure(
            500,
            `component ${component.id} did not finish within its timeout of ${timeoutMs} ms (timeout_ms)`,
          ),
        );
        void worker.terminate();
      }, timeoutMs);
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`its thread exited with code ${code}`)); // no-op once settled
      });
    });

  return { execute, close: () => rm(dir, { recursive: true, force: true }) };
}

/** The module's stderr, a log record a line, up to `limitBytes`; the rest counted once. */
function logStderr(path: string, limitBytes: number, output: GuestOutput): void {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return; // the run did not get as far as creating it
  }
  try {
    const size = fstatSync(fd).size;
    const kept = Buffer.alloc(Math.min(size, limitBytes));
    const read = readSync(fd, kept, 0, kept.length, 0);
    const lines = new LineBuffer((line) => output.line('stderr', line), new OutputBudget(limitBytes));
    lines.write(kept.subarray(0, read));
    lines.flush();
    if (size > read) output.dropped(size - read, limitBytes);
  } finally {
    closeSync(fd);
  }
}
