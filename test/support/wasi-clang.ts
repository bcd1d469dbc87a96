import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const INSTALL = 'apt-get install clang lld wasi-libc libclang-rt-dev-wasm32 (.ci/run does)';

/**
 * Why C guests (the Wagi fixture) cannot be built here, or undefined: clang must compile
 * a program for wasm32-wasi, which takes its wasi-libc and runtime, not clang alone.
 */
export async function wasiClangMissing(): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-wasi-clang-'));
  try {
    await writeFile(join(dir, 'main.c'), 'int main(void) { return 0; }\n');
    await promisify(execFile)('clang', ['--target=wasm32-wasi', '-o', join(dir, 'main.wasm'), join(dir, 'main.c')]);
    return undefined;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no clang' : 'clang cannot build for wasm32-wasi';
    return `${reason}: ${INSTALL}`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
