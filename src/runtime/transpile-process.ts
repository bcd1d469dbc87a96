import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { moduleUrl } from '../package-files.ts';
import type { ExportEntry } from './worlds.ts';

export interface TranspileOptions {
  name: string;
  instantiation: 'async';
  noTypescript: boolean;
  importBindings: 'hybrid';
}

export interface TranspileOutput {
  files: Record<string, Uint8Array>;
  imports: string[];
  exports: ExportEntry[];
}

export interface TranspileRequest {
  bytes: Uint8Array;
  options: TranspileOptions;
}

export type TranspileReply = { output: TranspileOutput } | { error: string };

const CHILD = fileURLToPath(moduleUrl('src/runtime/transpile-child'));

/**
 * jco's transpile in a child process, so that the memory jco takes is given back when
 * it exits (transpile-child.ts says why that matters). Costs a Node start (~0.1 s)
 * against the seconds a StarlingMonkey component takes to transpile.
 */
export async function transpileInChild(bytes: Uint8Array, options: TranspileOptions): Promise<TranspileOutput> {
  const child = fork(CHILD, { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  try {
    child.send({ bytes, options } satisfies TranspileRequest);
    const [reply] = (await Promise.race([
      once(child, 'message'),
      exited.then(([code, signal]) => {
        throw new Error(`jco's process exited (${signal ?? `code ${code}`}) before answering`);
      }),
    ])) as [TranspileReply];
    if ('error' in reply) throw new Error(reply.error);
    return reply.output;
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  }
}
