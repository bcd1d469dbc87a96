/**
 * `fermyon:spin/variables@2.0.0`, keyed as jco's glue looks it up (no version suffix).
 * `get` returns `result<string, error>`: the glue treats a returned value as `ok` and a
 * thrown value that is not an Error as the `err` payload, so the error variant is thrown
 * as a plain `{ tag, val }` object (an Error would trap the guest instead).
 */

// Spin variable names: lower-case ASCII letters, digits and underscores, starting with a letter.
const NAME = /^[a-z][a-z0-9_]*$/;

export function spinVariablesImport(variables: (name: string) => string | undefined): Record<string, unknown> {
  return {
    'fermyon:spin/variables': {
      get(name: string): string {
        if (!NAME.test(name)) throw { tag: 'invalid-name', val: `invalid variable name ${JSON.stringify(name)}` };
        const value = variables(name);
        if (value === undefined) throw { tag: 'undefined', val: `no variable named ${JSON.stringify(name)}` };
        return value;
      },
    },
  };
}
