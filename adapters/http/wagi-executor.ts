/**
 * Spin's Wagi executor (`executor = { type = "wagi" }`): a WASI preview1 command module
 * run as CGI with node:wasi, once per request. The body is its stdin; the CGI variables
 * and Spin's route variables are its environment (over the component's own); argv comes
 * from the `argv` template; stdout is parsed as a CGI response. Its stderr goes to
 * spindle's log, tagged with the component id.
 *
 * node:wasi takes stdio as file descriptors, so each run gets three temporary files.
 * The call is synchronous: a module that never returns blocks the listener (a worker
 * thread per run would bound it; not done yet).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Component, ComponentConfig, Logger, WasmModule } from '../../src/adapter.ts';
import { MalformedCgiResponse, parseCgiResponse } from './cgi-response.ts';
import { type Executor, GuestFailure } from './executor.ts';
import { cgiEnvironment, wagiArgv } from './wagi-env.ts';

export interface WagiOptions {
  /** The exported function to run; Wagi's default is `_start`. */
  entrypoint: string;
  /** The argv template; Wagi's default is `${SCRIPT_NAME} ${ARGS}`. */
  argv: string;
}

interface WasmInstance {
  exports: Record<string, unknown>;
}
const wasm = (
  globalThis as unknown as {
    WebAssembly: { instantiate(module: WasmModule, imports: object): Promise<WasmInstance> };
  }
).WebAssembly;

/** A Wagi executor, and the temporary directory it owns (removed by `close`). */
export async function wagiExecutor(
  component: Component,
  config: Pick<ComponentConfig, 'environment' | 'files'>,
  options: WagiOptions,
  logger: Logger,
): Promise<{ execute: Executor; close(): Promise<void> }> {
  const module = component.coreModule;
  if (module === undefined) throw new Error(`component ${component.id} is not a WASI preview1 module`);
  // Loaded only for apps with a Wagi component: importing node:wasi prints Node's
  // "WASI is an experimental feature" warning.
  const { WASI } = await import('node:wasi');
  const dir = await mkdtemp(join(tmpdir(), 'spindle-wagi-'));
  const preopens = Object.fromEntries(config.files.map((mount) => [mount.destination, mount.source]));

  const execute: Executor = async (request) => {
    const env = {
      ...config.environment,
      ...cgiEnvironment({ ...request, bodyLength: request.body.length }),
    };
    const args = wagiArgv(options.argv, request.info.pathAndQuery);
    const base = join(dir, randomUUID());
    const files = { stdin: `${base}.in`, stdout: `${base}.out`, stderr: `${base}.err` };
    try {
      writeFileSync(files.stdin, request.body);
      const code = await run(args, env, files);
      if (code !== 0) throw new GuestFailure(500, `component ${component.id} exited with code ${code}`);
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

  /** One run of the module: its exit code. Traps throw. */
  const run = async (
    args: string[],
    env: Record<string, string>,
    files: Record<'stdin' | 'stdout' | 'stderr', string>,
  ) => {
    const fds = {
      stdin: openSync(files.stdin, 'r'),
      stdout: openSync(files.stdout, 'w+'),
      stderr: openSync(files.stderr, 'w+'),
    };
    try {
      const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true, ...fds });
      const instance = await wasm.instantiate(module, wasi.getImportObject());
      const entry = instance.exports[options.entrypoint];
      if (typeof entry !== 'function') {
        throw new GuestFailure(500, `component ${component.id} has no exported function '${options.entrypoint}'`);
      }
      // node:wasi runs a command through `_start`: present the chosen entrypoint as such.
      return wasi.start({ exports: { memory: instance.exports.memory, _start: entry } });
    } finally {
      for (const fd of Object.values(fds)) closeSync(fd);
      logStderr(readFileSync(files.stderr), component.id, logger);
    }
  };
  return { execute, close: () => rm(dir, { recursive: true, force: true }) };
}

function logStderr(bytes: Uint8Array, component: string, logger: Logger): void {
  const text = new TextDecoder().decode(bytes);
  for (const line of text.split('\n')) {
    if (line !== '') logger.warn({ component, stream: 'stderr' }, line.replace(/\r$/, ''));
  }
}
