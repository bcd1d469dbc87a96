import { spawn } from 'node:child_process';
import type { AppConfig } from '../app/model.ts';
import { SpindleError } from '../errors.ts';

export interface BuildProgress {
  /** Called before each of a component's commands runs. */
  start(componentId: string, command: string, workdir: string): void;
}

/**
 * `spindle build`: run each component's `[component.<id>.build] command` (one, or a list
 * run in turn as Spin does) in its workdir, one after another, with the output passed
 * through. Stops at the first failure, naming the command that failed.
 */
export async function buildApp(app: AppConfig, progress: BuildProgress): Promise<string[]> {
  const built: string[] = [];
  for (const component of Object.values(app.components)) {
    const build = component.build;
    if (build === undefined) continue;
    for (const command of build.commands) {
      progress.start(component.id, command, build.workdir);
      const code = await run(command, build.workdir);
      if (code !== 0) {
        throw new SpindleError(
          `${app.file}: [component.${component.id}.build] command \`${command}\` failed with exit code ${code}`,
        );
      }
    }
    built.push(component.id);
  }
  return built;
}

function run(command: string, cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, { cwd, shell: true, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
