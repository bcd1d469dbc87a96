import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadApp } from '../app/load.ts';
import { buildApp } from '../build/build-app.ts';
import { Progress } from './progress.ts';

export const BUILD_USAGE = `  spindle build [-f FILE|DIR]
      Run each component's [component.<id>.build] command (\`spindle\` in a command is
      this spindle), one line per command with the seconds it took.
`;

export async function build(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string', short: 'f', default: '.' } } });
  // Sources are what a build makes: a fresh checkout has none yet.
  const app = await loadApp(resolve(values.file), { checkSources: false });
  // Whole lines: the build commands (componentize) draw their own progress on the terminal.
  const progress = new Progress({ live: false });
  const started = performance.now();
  const built = await buildApp(app, {
    start: (id, command, workdir) => progress.step(`Building component ${id} with \`${command}\` (in ${workdir})`),
    finish: (_id, ok) => (ok ? progress.done() : progress.fail()),
  });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.log(
    built.length === 0 ? 'No component has a build command.' : `Finished building ${built.join(', ')} in ${seconds} s`,
  );
  return 0;
}
