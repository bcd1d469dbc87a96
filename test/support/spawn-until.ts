import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';

export interface UntilProcess {
  child: ChildProcess;
  /** The match of `until` in the output. */
  match: RegExpExecArray;
  /** Everything printed so far on stdout and stderr. */
  output(): string;
  /** Send a signal (SIGTERM by default) and resolve with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Run a long-lived command and wait until its output matches `until` (a banner, say).
 * Fails with everything the process printed if it exits first or stays silent. The
 * command runs in a process group of its own, and signals go to the whole group: a
 * launcher such as `npx` does not pass them on to the program it started, which would
 * otherwise outlive the test.
 */
export async function spawnUntil(
  command: string,
  args: string[],
  options: { until: RegExp; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<UntilProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, signal);
    } catch {
      child.kill(signal); // the group is gone already
    }
  };
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const exited = once(child, 'exit');
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => fail(`no match for ${options.until} within ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string) => {
      clearTimeout(timer);
      signalGroup('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')}: ${why}\n${output}`));
    };
    const check = () => {
      const found = options.until.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then(([code]) => fail(`exited with code ${code} first`));
  });
  return {
    child,
    match,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      signalGroup(signal);
      const [code] = await exited;
      return code as number | null;
    },
  };
}
