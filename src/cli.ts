/**
 * The `spindle` command: a thin layer of flags over the library API (src/index.ts). Each
 * command lives in src/cli/<command>.ts with its usage text; this file only dispatches.
 */
// First: the shim's I/O thread starts only when a guest needs it (runtime/deferred-io-worker.ts).
import './runtime/preview2-shim.ts';
import { readFileSync } from 'node:fs';
import { BUILD_USAGE, build } from './cli/build.ts';
import { CHECK_USAGE, check } from './cli/check.ts';
import { COMPONENTIZE_USAGE, componentizeCommand } from './cli/componentize.ts';
import { NEW_USAGE, newApp } from './cli/new.ts';
import { SEND_USAGE, send } from './cli/send.ts';
import { UP_USAGE, up } from './cli/up.ts';
import { WATCH_USAGE, watchCommand } from './cli/watch.ts';
import { failureLines, SpindleError } from './errors.ts';
import { packagePath } from './package-files.ts';
import { didYouMean } from './suggest.ts';

const VERSION: string = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version;

interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Every command, in the order `spindle --help` lists them. */
const COMMANDS: Record<string, Command> = {
  new: { usage: NEW_USAGE, run: newApp },
  build: { usage: BUILD_USAGE, run: build },
  up: { usage: UP_USAGE, run: up },
  watch: { usage: WATCH_USAGE, run: watchCommand },
  check: { usage: CHECK_USAGE, run: check },
  send: { usage: SEND_USAGE, run: send },
  componentize: { usage: COMPONENTIZE_USAGE, run: componentizeCommand },
};

const ENVIRONMENT = `Environment: SPIN_VARIABLE_<NAME> sets a variable; K_SINK names the sink when a trigger
has none; K_CE_OVERRIDES adds extensions to emitted events; SPIN_TLS_CERT/SPIN_TLS_KEY;
SPIN_HTTP_LISTEN_ADDR is the default of --listen, PORT its port; SPINDLE_CACHE_DIR is where
transpiled components are kept (default .spindle/cache next to the manifest).
`;

function help(usages: string[]): string {
  return `spindle ${VERSION}: run WebAssembly components as CloudEvents transformers

Usage:
${usages.join('')}  spindle --help | --version

${ENVIRONMENT}`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  switch (name) {
    case '--version':
    case '-V':
      console.log(`spindle ${VERSION}`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(help(Object.values(COMMANDS).map((c) => c.usage)));
      return 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    const hint = didYouMean(name, Object.keys(COMMANDS), (c) => `'spindle ${c}'`);
    throw new SpindleError(`unknown command '${name}'${hint} (see spindle --help)`);
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(help([command.usage]));
    return 0;
  }
  return command.run(rest).catch((error: unknown) => {
    throw withFlagSuggestion(error, command.usage);
  });
}

/**
 * parseArgs' "Unknown option '--lisen'" with the nearest flag of the command's usage
 * text (which lists every flag): did you mean --listen?
 */
function withFlagSuggestion(error: unknown, usage: string): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && code !== 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return error;
  const option = /'(-[^']+)'/.exec((error as Error).message)?.[1] ?? '';
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
    return new SpindleError((error as Error).message, { cause: error });
  const flags = new Set(usage.match(/--[a-z][a-z-]*/g) ?? []);
  const hint = didYouMean(option.split('=')[0] ?? option, flags);
  return new SpindleError(`unknown option '${option}'${hint} (see spindle --help)`, { cause: error });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      failureLines(error)
        .map((line) => `Error: ${line}\n`)
        .join(''),
    );
    process.exit(1);
  },
);
