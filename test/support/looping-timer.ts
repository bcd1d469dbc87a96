import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '@bytecodealliance/jco';

/**
 * A timer-world component (`handle-timer-request`), hand-written: every instance's second
 * call never returns (a global counts its calls), so only a deadline stops it, and the
 * call after that, on a new instance, returns. Written to a temporary file; takes
 * milliseconds.
 */
export async function loopingTimerGuest(): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'spindle-looper-')), 'looper.wasm');
  await writeFile(
    file,
    await parse(`(component
      (core module $m
        (global $calls (mut i32) (i32.const 0))
        (func (export "run")
          (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
          (if (i32.eq (global.get $calls) (i32.const 2)) (then (loop $forever (br $forever))))))
      (core instance $i (instantiate $m))
      (func $f (canon lift (core func $i "run")))
      (export "handle-timer-request" (func $f)))`),
  );
  return file;
}
