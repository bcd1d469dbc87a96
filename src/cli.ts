/**
 * The `spindle` command: a thin layer of flags over the library API (src/index.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseLimitFlags } from './app/limits.ts';
import { loadApp } from './app/load.ts';
import { buildApp } from './build/build-app.ts';
import { componentize } from './build/componentize.ts';
import { startApp } from './engine.ts';
import { SpindleError } from './errors.ts';
import { guardProcess } from './host/process-guard.ts';
import type { ListenOptions } from './host/server.ts';
import { createLogger, type LogFormat } from './log.ts';
import { packagePath } from './package-files.ts';

const VERSION: string = JSON.parse(readFileSync(packagePath('package.json'), 'utf8')).version;

const HELP = `spindle ${VERSION}: run WebAssembly components as CloudEvents transformers

Usage:
  spindle up [-f FILE|DIR] [--listen HOST[:PORT]] [--variable NAME=VALUE]...
             [--log-format pretty|json] [--tls-cert FILE --tls-key FILE]
             [--limit NAME=VALUE]...
      Start the app in spindle.toml (or spin.toml) and serve until SIGINT/SIGTERM.
      Default manifest ./spindle.toml, default listen 127.0.0.1:3000 (a HOST alone
      takes its port from PORT, else 3000). --limit sets one of [application.limits]
      (e.g. --limit max_body_bytes=1048576) over the manifest.
  spindle build [-f FILE|DIR]
      Run each component's [component.<id>.build] command.
  spindle componentize SOURCE.js|SOURCE.ts -o OUT.wasm [--wit DIR] [--world WORLD]
      Build a JavaScript guest into a component (default world spindle:event/transformer).
  spindle --help | --version

Environment: SPIN_VARIABLE_<NAME> sets a variable; K_SINK names the sink when a trigger
has none; K_CE_OVERRIDES adds extensions to emitted events; SPIN_TLS_CERT/SPIN_TLS_KEY;
SPIN_HTTP_LISTEN_ADDR is the default of --listen, PORT its port; SPINDLE_CACHE_DIR is where
transpiled components are kept (default .spindle/cache next to the manifest).
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(HELP);
    return 0;
  }
  switch (command) {
    case 'up':
      return up(rest);
    case 'build':
      return build(rest);
    case 'componentize':
      return componentizeCommand(rest);
    case '--version':
    case '-V':
      console.log(`spindle ${VERSION}`);
      return 0;
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(HELP);
      return 0;
    default:
      throw new SpindleError(`unknown command '${command}' (see spindle --help)`);
  }
}

async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string', short: 'f', default: '.' },
      listen: { type: 'string', default: process.env.SPIN_HTTP_LISTEN_ADDR ?? '127.0.0.1' },
      variable: { type: 'string', multiple: true, default: [] },
      'log-format': { type: 'string', default: 'pretty' },
      'tls-cert': { type: 'string', default: process.env.SPIN_TLS_CERT },
      'tls-key': { type: 'string', default: process.env.SPIN_TLS_KEY },
      limit: { type: 'string', multiple: true, default: [] },
    },
    strict: true,
  });
  const format = values['log-format'];
  if (format !== 'pretty' && format !== 'json') {
    throw new SpindleError(`--log-format must be pretty or json, got '${format}'`);
  }
  const logger = createLogger({ format: format as LogFormat });
  guardProcess(logger);
  const limits = parseLimitFlags(values.limit);
  const app = await loadApp(resolve(values.file));
  const listen: ListenOptions = {
    ...parseListen(values.listen, process.env.PORT),
    ...tlsOptions(values['tls-cert'], values['tls-key']),
  };
  const running = await startApp(app, { listen, variables: parseVariables(values.variable), logger, limits });
  // One write, so that whoever waits for "Serving" reads the routes with it.
  const routes = running.endpoints.map((e) => `\n  ${e}`).join('');
  console.log(`Serving ${running.url.href} (app ${app.name})${routes ? `\nAvailable routes:${routes}` : ''}`);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  logger.info({ signal }, 'stopping: finishing events in flight');
  await running.stop();
  logger.flush();
  return 0;
}

async function build(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { file: { type: 'string', short: 'f', default: '.' } } });
  // Sources are what a build makes: a fresh checkout has none yet.
  const app = await loadApp(resolve(values.file), { checkSources: false });
  const built = await buildApp(app, {
    start: (id, command, workdir) => console.log(`Building component ${id} with \`${command}\` (in ${workdir})`),
  });
  console.log(built.length === 0 ? 'No component has a build command.' : `Finished building ${built.join(', ')}`);
  return 0;
}

async function componentizeCommand(args: string[]): Promise<number> {
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

/** HOST:PORT, or HOST alone with the port from PORT (Knative's runtime contract), else 3000. */
function parseListen(listen: string, portFromEnv: string | undefined): { host: string; port: number } {
  const hostPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/;
  const match = hostPort.exec(listen) ?? hostPort.exec(`${listen}:${portFromEnv ?? 3000}`);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port > 65535) {
    throw new SpindleError(`--listen must be HOST:PORT or HOST (e.g. 127.0.0.1:3000), got '${listen}'`);
  }
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

function parseVariables(pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SpindleError(`--variable must be NAME=VALUE, got '${pair}'`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function tlsOptions(cert: string | undefined, key: string | undefined): Pick<ListenOptions, 'tls'> {
  if (cert === undefined && key === undefined) return {};
  if (cert === undefined || key === undefined) {
    throw new SpindleError(
      `TLS needs both a certificate and a key: got only ${cert ? '--tls-cert (SPIN_TLS_CERT)' : '--tls-key (SPIN_TLS_KEY)'}`,
    );
  }
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new SpindleError(`cannot read TLS ${what} ${path}: ${(cause as Error).message}`, { cause });
    }
  };
  return { tls: { cert: read(cert, 'certificate'), key: read(key, 'key') } };
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`Error: ${message.split('\n')[0]}\n`);
    process.exit(1);
  },
);
