import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { componentize } from '../build/componentize.ts';
import { SpindleError } from '../errors.ts';

export const COMPONENTIZE_USAGE = `  spindle componentize SOURCE.js|SOURCE.ts -o OUT.wasm [--wit DIR] [--world WORLD]
      Build a JavaScript guest into a component (default world spindle:event/transformer).
`;

export async function componentizeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string', short: 'o' }, wit: { type: 'string' }, world: { type: 'string' } },
  });
  const [source] = positionals;
  if (source === undefined || values.out === undefined) {
    throw new SpindleError('usage: spindle componentize SOURCE.js|SOURCE.ts -o OUT.wasm [--wit DIR] [--world WORLD]');
  }
  const out = resolve(values.out);
  await componentize({
    source: resolve(source),
    out,
    ...(values.wit ? { witPath: resolve(values.wit) } : {}),
    ...(values.world ? { worldName: values.world } : {}),
  });
  console.log(`Built ${out}`);
  return 0;
}
