import { spawn } from 'node:child_process';
import type { AppConfig } from '../app/model.ts';
import { SpindleError } from '../errors.ts';
import { spindleOnPath } from './spindle-on-path.ts';

export interface BuildProgress {
  /** Called before each of a component's commands runs. */
  start(componentId: string, command: string, workdir: string): void;
  /** Called after each command, with whether it succeeded. */
  finish?(componentId: string, ok: boolean): void;
}

export interface BuildOptions {
  /** Only these components (default all that have a build command). */
  only?: readonly string[];
}

/**
 * `spindle build`: run each component's `[component.<id>.build] command` (one, or a list
 * run in turn as Spin does) in its workdir, one after another, with the output passed
 * through and `spindle` on PATH (spindle-on-path.ts). Stops at the first failure, naming
 * the command that failed.
 */
export async function buildApp(app: AppConfig, progress: BuildProgress, options: BuildOptions = {}): Promise<string[]> {
  const built: string[] = [];
  const path = await spindleOnPath(process.env);
  try {
    for (const component of Object.values(app.components)) {
      const build = component.build;
      if (build === undefined || (options.only && !options.only.includes(component.id))) continue;
      for (const command of build.commands) {
        progress.start(component.id, command, build.workdir);
        const code = await run(command, build.workdir, path.env);
        progress.finish?.(component.id, code === 0);
        if (code !== 0) {
          throw new SpindleError(
            `${app.file}: [component.${component.id}.build] command \`${command}\` failed with exit code ${code}`,
          );
        }
      }
      built.push(component.id);
    }
  } finally {
    await path.remove();
  }
  return built;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, env, shell: true, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
