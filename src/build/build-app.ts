import { spawn } from 'node:child_process';
import type { AppConfig } from '../app/model.ts';
import { SpindleError } from '../errors.ts';

export interface BuildProgress {
  /** Called before each component's command runs. */
  start(componentId: string, command: string, workdir: string): void;
}

/**
 * `spindle build`: run each component's `[component.<id>.build] command` in its workdir,
 * one after another, with the command's output passed through. Stops at the first failure.
 */
export async function buildApp(app: AppConfig, progress: BuildProgress): Promise<string[]> {
  const built: string[] = [];
  for (const component of Object.values(app.components)) {
    const build = component.build;
    if (build === undefined) continue;
    progress.start(component.id, build.command, build.workdir);
    const code = await run(build.command, build.workdir);
    if (code !== 0) {
      throw new SpindleError(
        `${app.file}: [component.${component.id}.build] command \`${build.command}\` failed with exit code ${code}`,
      );
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
