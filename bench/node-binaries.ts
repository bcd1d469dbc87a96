/**
 * A Node binary per major version, for benches that compare the Node versions users run:
 * the project's own devDependency `node` when its major matches, else the `node` package
 * of that major from the npm registry, installed once under node_modules/.cache (gitignored).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const CACHE = join(root, 'node_modules/.cache/spindle-bench');

const binaryIn = (prefix: string) => join(prefix, 'node_modules/node/bin/node');

function majorOf(prefix: string): number | undefined {
  const manifest = join(prefix, 'node_modules/node/package.json');
  if (!existsSync(manifest) || !existsSync(binaryIn(prefix))) return undefined;
  return Number((JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version.split('.')[0]);
}

/** The path of a Node binary of this major version, installing it on first use. */
export function nodeBinary(major: number): string {
  if (majorOf(root) === major) return binaryIn(root);
  const prefix = join(CACHE, `node${major}`);
  if (majorOf(prefix) !== major) {
    console.error(`installing node@${major} under ${prefix} (once)`);
    execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', prefix, `node@${major}`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  return binaryIn(prefix);
}
