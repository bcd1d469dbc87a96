import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const versions = new Map<string, Promise<string>>();

/**
 * The installed version of a package whose exports map hides its package.json: read
 * from `packageJson`, a path relative to the folder of the package's entry point.
 * A build records it, so that a new version of the toolchain rebuilds guests.
 */
export function installedVersion(specifier: string, packageJson: string): Promise<string> {
  let version = versions.get(specifier);
  if (version === undefined) {
    const entry = fileURLToPath(import.meta.resolve(specifier));
    version = readFile(join(dirname(entry), packageJson), 'utf8').then(
      (text) => (JSON.parse(text) as { version: string }).version,
    );
    versions.set(specifier, version);
  }
  return version;
}
