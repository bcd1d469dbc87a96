import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadApp } from '../app/load.ts';
import { buildApp } from '../build/build-app.ts';

export const BUILD_USAGE = `  spindle build [-f FILE|DIR]
      Run each component's [component.<id>.build] command.
`;

export async function build(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string', short: 'f', default: '.' } } });
  // Sources are what a build makes: a fresh checkout has none yet.
  const app = await loadApp(resolve(values.file), { checkSources: false });
  const built = await buildApp(app, {
    start: (id, command, workdir) => console.log(`Building component ${id} with \`${command}\` (in ${workdir})`),
  });
  console.log(built.length === 0 ? 'No component has a build command.' : `Finished building ${built.join(', ')}`);
  return 0;
}
