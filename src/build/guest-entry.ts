import { randomBytes } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { ComponentizeError } from './componentize-error.ts';
import { handlerGuardSource } from './handler-guard.ts';
import { stripTypes } from './strip-types.ts';

/** The module componentize-js builds from, and how to clean up after it. */
export interface GuestEntry {
  /** The entry module's path: the guest itself, or a generated module beside it. */
  path: string;
  /** The guest's code as JavaScript (what Node's parser checks when the build fails). */
  code: string;
  /** `text` (a build error) with the generated modules' names replaced by what they stand for. */
  rename(text: string): string;
  /** Removes the generated modules. */
  remove(): Promise<void>;
}

const TYPESCRIPT = new Set(['.ts', '.mts']);

/**
 * The entry module for `source`: a TypeScript guest with its types erased, and the
 * handler guard in front when `guard` is set. Generated modules are written beside the
 * guest (dot files, removed after the build): componentize-js gives the engine only the
 * guest's folder, and the guest's own relative imports must resolve as they do for it.
 * A `prelude` (a module's source: globals the engine lacks) is evaluated before
 * everything else, the guest's top level included; its exported `guestLoaded` is called
 * after everything else.
 */
export async function guestEntry(source: string, guard: boolean, prelude?: string): Promise<GuestEntry> {
  let code: string;
  try {
    code = await readFile(source, 'utf8');
  } catch (cause) {
    throw new ComponentizeError(source, 'cannot read the source file', { cause });
  }
  const written: string[] = [];
  const names = new Map<string, string>();
  const rename = (text: string) => {
    let out = text;
    for (const [generated, meaning] of names) out = out.replaceAll(generated, meaning);
    return out;
  };
  const remove = async () => {
    await Promise.all(written.map((file) => rm(file, { force: true })));
  };
  const dir = dirname(source);
  const name = basename(source, extname(source));
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const write = async (file: string, text: string) => {
    written.push(file);
    try {
      await writeFile(file, text);
    } catch (cause) {
      await remove();
      throw new ComponentizeError(source, `cannot write ${file} beside it`, { cause });
    }
  };
  let guest = source;
  if (TYPESCRIPT.has(extname(source))) {
    code = stripTypes(source, code);
    guest = join(dir, `.${name}.${tag}.js`);
    // Types erased in place: positions in the generated module are the .ts file's.
    names.set(basename(guest), basename(source));
    await write(guest, code);
  }
  let entry = guest;
  if (guard) {
    entry = join(dir, `.${name}.${tag}.guard.js`);
    names.set(basename(entry), "spindle's handler guard");
    await write(entry, handlerGuardSource(`./${basename(guest)}`, basename(source), basename(entry)));
  }
  if (prelude === undefined) return { path: entry, code, rename, remove };
  // Imports are evaluated in order, before the importing module's body: the prelude's
  // globals exist when the guest's top level runs, and the body runs after it.
  const preludeFile = join(dir, `.${name}.${tag}.prelude.js`);
  names.set(basename(preludeFile), "spindle's prelude");
  await write(preludeFile, prelude);
  const top = join(dir, `.${name}.${tag}.entry.js`);
  names.set(basename(top), "spindle's entry module");
  await write(
    top,
    `import { guestLoaded } from './${basename(preludeFile)}';\nexport * from './${basename(entry)}';\nguestLoaded();\n`,
  );
  return { path: top, code, rename, remove };
}
