/**
 * The `spindle` command: a thin layer of flags over the library API (src/index.ts). Each
 * command lives in src/cli/<command>.ts with its usage text; this file only dispatches.
 */
import { readFileSync } from 'node:fs';
import { BUILD_USAGE, build } from './cli/build.ts';
import { COMPONENTIZE_USAGE, componentizeCommand } from './cli/componentize.ts';
import { UP_USAGE, up } from './cli/up.ts';
import { SpindleError } from './errors.ts';
import { packagePath } from './package-files.ts';

const VERSION: string = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version;

interface Command {
  usage: string;
  run(args: string[]): Promise<number>;
}

/** Every command, in the order `spindle --help` lists them. */
const COMMANDS: Record<string, Command> = {
  up: { usage: UP_USAGE, run: up },
  build: { usage: BUILD_USAGE, run: build },
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
  const command = COMMANDS[name];
  if (command === undefined) throw new SpindleError(`unknown command '${name}' (see spindle --help)`);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(help([command.usage]));
    return 0;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Error: ${message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
