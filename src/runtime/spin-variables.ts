/**
 * `fermyon:spin/variables@2.0.0`, keyed as jco's glue looks it up (no version suffix).
 * `get` returns `result<string, error>`: the glue treats a returned value as `ok` and a
 * thrown value that is not an Error as the `err` payload, so the error variant is thrown
 * as a plain `{ tag, val }` object (an Error would trap the guest instead). Guests often
 * call `get` per event, so it also has a core form (core-abi.ts).
 */
import { type CoreContext, guestMemory, memoryView, readString, withCoreAbi, writeString } from './core-abi.ts';

// Spin variable names: lower-case ASCII letters, digits and underscores, starting with a letter.
const NAME = /^[a-z][a-z0-9_]*$/;

type VariableError = { tag: 'invalid-name' | 'undefined' | 'provider' | 'other'; val: string };
/** The `error` variant's cases, in WIT order: the lowered discriminant. */
const ERROR_CASES: VariableError['tag'][] = ['invalid-name', 'undefined', 'provider', 'other'];

export function spinVariablesImport(variables: (name: string) => string | undefined): Record<string, unknown> {
  function get(name: string): string {
    if (!NAME.test(name)) throw { tag: 'invalid-name', val: `invalid variable name ${JSON.stringify(name)}` };
    const value = variables(name);
    if (value === undefined) throw { tag: 'undefined', val: `no variable named ${JSON.stringify(name)}` };
    return value;
  }
  return { 'fermyon:spin/variables': { get: withCoreAbi(get, (context) => lowerGet(get, context)) } };
}

/**
 * `get(ptr, len, retptr)`: the result at `retptr` is `{ u8 tag; payload at 4 }`; `ok`'s
 * payload is a string (ptr, len), `err`'s is `{ u8 case; string at 8 }`.
 */
function lowerGet(get: (name: string) => string, context: CoreContext) {
  const guest = guestMemory(context, 'fermyon:spin/variables get');
  const view = memoryView(guest.memory);
  return (ptr: number, len: number, retptr: number) => {
    const name = readString(guest.memory, ptr, len);
    let value: string;
    try {
      value = get(name);
    } catch (thrown) {
      const error = thrown as VariableError;
      const [at, length] = writeString(guest, error.val);
      view().setUint8(retptr, 1);
      view().setUint8(retptr + 4, ERROR_CASES.indexOf(error.tag));
      view().setUint32(retptr + 8, at, true);
      view().setUint32(retptr + 12, length, true);
      return;
    }
    const [at, length] = writeString(guest, value);
    view().setUint8(retptr, 0);
    view().setUint32(retptr + 4, at, true);
    view().setUint32(retptr + 8, length, true);
  };
}
