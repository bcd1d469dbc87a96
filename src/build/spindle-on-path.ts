/**
 * Build commands say `spindle componentize ...` (what `spindle new` writes, and what a
 * user who installed spindle types). `spindle build` runs them with a `spindle` first on
 * PATH that is the spindle running the build, as `npm run` puts node_modules/.bin there:
 * the same version builds the component that will run it, installed globally or not.
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { packagePath } from '../package-files.ts';

/** An environment whose PATH starts with a directory holding a `spindle` that runs this one; and its removal. */
export async function spindleOnPath(
  env: NodeJS.ProcessEnv,
): Promise<{ env: NodeJS.ProcessEnv; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-bin-'));
  const bin = packagePath('bin/spindle.js');
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  await writeFile(join(dir, 'spindle'), `#!/bin/sh\nexec ${quote(process.execPath)} ${quote(bin)} "$@"\n`);
  await chmod(join(dir, 'spindle'), 0o755);
  await writeFile(join(dir, 'spindle.cmd'), `@"${process.execPath}" "${bin}" %*\r\n`);
  return {
    env: { ...env, PATH: `${dir}${delimiter}${env.PATH ?? ''}` },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
