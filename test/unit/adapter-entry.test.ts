import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');
const ENTRY = join(SRC, 'adapter.ts');

/** Every module specifier of a file: static imports and re-exports, and dynamic import(). */
function specifiers(text: string): string[] {
  const found: string[] = [];
  for (const pattern of [
    /\b(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]/g,
  ]) {
    for (const match of text.matchAll(pattern)) if (match[1] !== undefined) found.push(match[1]);
  }
  // Side-effect imports: `import './x.ts';`
  for (const match of text.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm))
    if (match[1] !== undefined) found.push(match[1]);
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.[cm]?ts$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** `file:line: specifier` for each import of the core other than its adapter entry. */
function coreImportsBesidesEntry(files: string[]): string[] {
  return files.flatMap((file) =>
    specifiers(readFileSync(file, 'utf8'))
      .filter((specifier) => specifier.startsWith('.'))
      .filter((specifier) => {
        const target = resolve(dirname(file), specifier);
        return (target === SRC || target.startsWith(`${SRC}/`)) && target !== ENTRY;
      })
      .map((specifier) => `${relative(ROOT, file)}: ${specifier}`),
  );
}

describe('the adapter entry (src/adapter.ts, spindle/adapter)', () => {
  it('is the only part of the core the built-in adapters import', () => {
    const files = sourceFiles(join(ROOT, 'adapters'));
    expect(files.length).toBeGreaterThan(30);
    expect(coreImportsBesidesEntry(files)).toEqual([]);
  });

  it('is the only part of the core the custom-trigger example imports', () => {
    expect(coreImportsBesidesEntry(sourceFiles(join(ROOT, 'examples/custom-trigger')))).toEqual([]);
  });

  it('catches an adapter that reaches past it', () => {
    const found = specifiers(
      "import { pause } from '../../src/delivery/retry.ts';\nimport type {\n  X,\n} from '../../src/adapter.ts';\n" +
        "export { y } from '../../src/event.ts';\nconst m = await import('../../src/log.ts');",
    );
    expect(found).toEqual([
      '../../src/delivery/retry.ts',
      '../../src/adapter.ts',
      '../../src/event.ts',
      '../../src/log.ts',
    ]);
  });
});
