/**
 * A consumer type-checks against spindle's public entries (`spindle`, `spindle/adapter`)
 * with only spindle's dependencies installed: their declarations may reach node's types
 * and packages that ship their own, never a package typed only by a devDependency
 * (`@types/express`, `@types/amqplib`).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ENTRIES = ['src/index.ts', 'src/adapter.ts'];
const out = mkdtempSync(join(tmpdir(), 'spindle-public-types-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** Declarations of the entries and of everything they reach, as `tsc` emits them. */
function emitDeclarations(): void {
  const config = join(out, 'tsconfig.json');
  writeFileSync(
    config,
    JSON.stringify({
      extends: join(ROOT, 'tsconfig.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        outDir: join(out, 'types'),
        rootDir: ROOT,
        typeRoots: [join(ROOT, 'node_modules/@types')],
      },
      include: [],
      files: ENTRIES.map((entry) => join(ROOT, entry)),
    }),
  );
  execFileSync(join(ROOT, 'node_modules/.bin/tsc'), ['-p', config], { stdio: 'pipe' });
}

/** Bare module specifiers reached from the entries' declarations, with the file naming each. */
function packagesReached(): Map<string, string> {
  const found = new Map<string, string>();
  const seen = new Set<string>();
  const todo = ENTRIES.map((entry) => join(out, 'types', entry.replace(/\.ts$/, '.d.ts')));
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g)) {
      const specifier = match[1] ?? '';
      if (specifier.startsWith('.')) {
        todo.push(normalize(join(dirname(file), specifier.replace(/\.(ts|js)$/, '.d.ts'))));
      } else {
        found.set(specifier, file.slice(out.length + 1));
      }
    }
  }
  return found;
}

/** Whether a dependency's package.json declares its own types. */
function shipsTypes(name: string): boolean {
  const manifest = join(ROOT, 'node_modules', name, 'package.json');
  if (!existsSync(manifest)) return false;
  const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { types?: string; typings?: string; exports?: unknown };
  return pkg.types !== undefined || pkg.typings !== undefined || JSON.stringify(pkg.exports ?? {}).includes('"types"');
}

describe('the public entries’ declarations', () => {
  it('need nothing from devDependencies: node types and dependencies that ship their own', () => {
    emitDeclarations();
    const { dependencies } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const reached = packagesReached();
    expect(reached.size).toBeGreaterThan(0);
    const wrong = [...reached]
      .filter(([specifier]) => !specifier.startsWith('node:'))
      .filter(([specifier]) => {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        return name === undefined || !Object.hasOwn(dependencies, name) || !shipsTypes(name);
      })
      .map(([specifier, file]) => `${specifier} (in ${file})`);
    expect(wrong).toEqual([]);
  }, 120_000);
});
