/**
 * The process guard of `spindle up`, in a child process of its own: an error from one
 * connection or a rejection nobody awaited is logged and the process goes on; any other
 * uncaught exception stops it with exit code 1.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const GUARD = fileURLToPath(new URL('../../src/host/process-guard.ts', import.meta.url));

function runGuarded(body: string): { status: number | null; stdout: string } {
  const script = `
    import { pino } from 'pino';
    import { guardProcess } from ${JSON.stringify(GUARD)};
    guardProcess(pino({ base: undefined }));
    ${body}
    setTimeout(() => { console.log(JSON.stringify({ alive: true })); process.exit(0); }, 50);
  `;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: fileURLToPath(new URL('../..', import.meta.url)),
    encoding: 'utf8',
    timeout: 20_000,
  });
  return { status: child.status, stdout: child.stdout };
}

describe('process guard', () => {
  it('a rejection nobody awaited is logged, and the process keeps going', () => {
    const { status, stdout } = runGuarded(`Promise.reject(new Error('from one request'));`);
    expect(stdout).toContain('an error nobody awaited (spindle keeps serving)');
    expect(stdout).toContain('from one request');
    expect(stdout).toContain('"alive":true');
    expect(status).toBe(0);
  });

  it('a connection error thrown from an event handler is logged, and the process keeps going', () => {
    const { status, stdout } = runGuarded(
      `setImmediate(() => { throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' }); });`,
    );
    expect(stdout).toContain('an error from one connection reached the top');
    expect(stdout).toContain('"alive":true');
    expect(status).toBe(0);
  });

  it('any other uncaught exception stops the process with exit code 1, saying why', () => {
    const { status, stdout } = runGuarded(`setImmediate(() => { throw new TypeError('a bug'); });`);
    expect(stdout).toContain('uncaught exception: spindle stops');
    expect(stdout).toContain('a bug');
    expect(stdout).not.toContain('"alive":true');
    expect(status).toBe(1);
  });
});
