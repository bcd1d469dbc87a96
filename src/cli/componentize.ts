import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { componentize, DEFAULT_ENGINE, JS_ENGINES, type JsEngine } from '../build/componentize.ts';
import { SpindleError } from '../errors.ts';
import { packagePath } from '../package-files.ts';
import { didYouMean } from '../suggest.ts';
import { Progress } from './progress.ts';

const USAGE_LINE = `spindle componentize SOURCE.js|SOURCE.ts -o OUT.wasm [--wit DIR] [--world WORLD]
                       [--engine ${JS_ENGINES.join('|')}]`;

export const COMPONENTIZE_USAGE = `  ${USAGE_LINE}
      Build a JavaScript guest into a component (default world spindle:event/transformer).
      The worlds spindle ships need no --wit: ${Object.keys(shippedWorlds()).join(', ')}.
      --engine quickjs builds with QuickJS-ng (componentize-qjs): a 1.7 MB component that
      costs less CPU per event and per fresh instance, with fewer web APIs; the default is
      ${DEFAULT_ENGINE} (componentize-js).
      StarlingMonkey's compilation cache is .spindle/cache next to OUT, or SPINDLE_CACHE_DIR/wizer.
`;

/** Worlds whose WIT ships in the package (the folders of adapters/<name>/wit), by name. */
function shippedWorlds(): Record<string, string> {
  return {
    'spindle:event/transformer': 'wit',
    'spindle:event/timer': 'wit',
    'wasi:http/proxy@0.2.10': 'adapters/http/wit/wasi-http',
    'fermyon:spin/http-trigger': 'adapters/http/wit/spin-http',
    'fermyon:spin/redis-trigger': 'adapters/redis/wit/spin-redis',
  };
}

export async function componentizeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      out: { type: 'string', short: 'o' },
      wit: { type: 'string' },
      world: { type: 'string' },
      engine: { type: 'string' },
    },
  });
  const [source] = positionals;
  if (source === undefined || values.out === undefined)
    throw new SpindleError(`usage: ${USAGE_LINE.replace(/\n */, ' ')}`);
  const engine = values.engine ?? DEFAULT_ENGINE;
  if (!isEngine(engine)) {
    throw new SpindleError(
      `unknown --engine '${engine}'${didYouMean(engine, JS_ENGINES)}; the engines: ${JS_ENGINES.join(', ')}`,
    );
  }
  const out = resolve(values.out);
  const shipped = values.world === undefined ? undefined : shippedWorlds()[values.world];
  const wit = values.wit ? resolve(values.wit) : shipped === undefined ? undefined : packagePath(shipped);
  const progress = new Progress();
  const details = [values.world && `world ${values.world}`, values.engine && `engine ${engine}`].filter(Boolean);
  progress.step(`Componentizing ${source}${details.length > 0 ? ` (${details.join(', ')})` : ''}`);
  const result = await componentize({
    source: resolve(source),
    out,
    engine,
    ...(wit ? { witPath: wit } : {}),
    ...(values.world ? { worldName: values.world } : {}),
    // One engine cache for every app built on this machine, when SPINDLE_CACHE_DIR names one.
    ...(process.env.SPINDLE_CACHE_DIR ? { cacheDir: join(process.env.SPINDLE_CACHE_DIR, 'wizer') } : {}),
  });
  progress.done(result.built ? `Built ${out}` : `${out} is up to date`);
  return 0;
}

function isEngine(name: string): name is JsEngine {
  return (JS_ENGINES as readonly string[]).includes(name);
}
