import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { componentEmbed, componentNew, parse } from '@bytecodealliance/jco';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const SOURCES = join(ROOT, 'test', 'fixtures', 'wat');
const CACHE = join(ROOT, 'node_modules', '.cache', 'spindle-fixtures');

/**
 * The component built from `test/fixtures/wat/<name>.wat`: a hand-written core module
 * exporting `spindle:event/handler`, embedded with wit/event.wit (its world without the
 * variables import, which such a guest does not use) and made a component. Takes
 * milliseconds; cached by content like the JS fixtures.
 */
export async function buildWatFixture(name: string): Promise<string> {
  const wat = await readFile(join(SOURCES, `${name}.wat`), 'utf8');
  const wit = (await readFile(join(ROOT, 'wit', 'event.wit'), 'utf8')).replace(
    /world transformer \{[^}]*\}/,
    'world guest { export handler; }',
  );
  const hash = createHash('sha256').update(wat).update(wit).digest('hex').slice(0, 16);
  const out = join(CACHE, `${name}-${hash}.wasm`);
  if (existsSync(out)) return out;
  const embedded = await componentEmbed({ binary: await parse(wat), witSource: wit, world: 'guest' });
  await mkdir(CACHE, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, await componentNew(embedded));
  await rename(tmp, out);
  return out;
}
