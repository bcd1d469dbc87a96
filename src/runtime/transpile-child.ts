/**
 * jco's transpile in a child process of its own (started by transpile-process.ts): it
 * gets the component's bytes, sends jco's output back and exits. Why a process: jco
 * runs its bindings generator as wasm, and what V8 allocates to compile and run it
 * stays in the C allocator's arenas after it is freed (a thread's arenas included, so
 * a worker thread does not help). In the spindle process that was ~200 MB for good: a
 * first `spindle up` of three StarlingMonkey components idled at ~540 MB, a second one,
 * served from the cache, at ~320 MB.
 */
import { transpile } from '@bytecodealliance/jco';
import type { TranspileReply, TranspileRequest } from './transpile-process.ts';

// `on`, not `once`: the IPC channel keeps this process alive only while a listener is
// attached, and jco awaits nothing else that does.
process.on('message', async ({ bytes, options }: TranspileRequest) => {
  let reply: TranspileReply;
  try {
    reply = { output: await transpile(bytes, options) };
  } catch (error) {
    reply = { error: error instanceof Error ? error.message : String(error) };
  }
  // Disconnecting before the reply is written would drop it (it is megabytes).
  process.send?.(reply, undefined, {}, () => process.disconnect());
});
