import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseLimitFlags } from '../app/limits.ts';
import { loadApp } from '../app/load.ts';
import { type RunningApp, startApp } from '../engine.ts';
import { ManifestError, problemsOf, SpindleError } from '../errors.ts';
import { guardProcess } from '../host/process-guard.ts';
import type { ListenOptions } from '../host/server.ts';
import { createLogger, LOG_LEVELS, type LogFormat, type Logger, logProcessWarnings } from '../log.ts';
import { parseListen, parseVariables, tlsOptions } from './options.ts';

export const UP_USAGE = `  spindle up [-f FILE|DIR] [--listen HOST[:PORT]] [--variable NAME=VALUE]...
             [--log-format pretty|json] [--log-level LEVEL] [--tls-cert FILE --tls-key FILE]
             [--limit NAME=VALUE]... [--metrics-listen HOST:PORT | --no-metrics]
      Start the app in spindle.toml (or spin.toml) and serve until SIGINT/SIGTERM.
      Default manifest ./spindle.toml, default listen 127.0.0.1:3000 (a HOST alone
      takes its port from PORT, else 3000). --limit sets one of [application.limits]
      (e.g. --limit max_body_bytes=1048576) over the manifest. Prometheus metrics are
      on GET /metrics of the listener, or of --metrics-listen's; --no-metrics collects
      none. --log-level (default SPINDLE_LOG, else info): debug logs a line per event.
`;

export async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string', short: 'f', default: '.' },
      listen: { type: 'string', default: process.env.SPIN_HTTP_LISTEN_ADDR ?? '127.0.0.1' },
      variable: { type: 'string', multiple: true, default: [] },
      'log-format': { type: 'string', default: 'pretty' },
      'log-level': { type: 'string', default: process.env.SPINDLE_LOG ?? 'info' },
      'tls-cert': { type: 'string', default: process.env.SPIN_TLS_CERT },
      'tls-key': { type: 'string', default: process.env.SPIN_TLS_KEY },
      limit: { type: 'string', multiple: true, default: [] },
      metrics: { type: 'boolean', default: true },
      'metrics-listen': { type: 'string' },
    },
    allowNegative: true,
    strict: true,
  });
  const format = values['log-format'];
  if (format !== 'pretty' && format !== 'json') {
    throw new SpindleError(`--log-format must be pretty or json, got '${format}'`);
  }
  const level = values['log-level'];
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new SpindleError(`--log-level (or SPINDLE_LOG) must be one of ${LOG_LEVELS.join(', ')}, got '${level}'`);
  }
  const logger = createLogger({ format: format as LogFormat, level });
  guardProcess(logger);
  if (format === 'pretty') return serve(values, logger);
  // A JSON log is JSON on every line: Node's warnings and a failed start too.
  logProcessWarnings(logger);
  try {
    return await serve(values, logger);
  } catch (error) {
    // A manifest's problems one a line, as in the pretty format.
    const failures = error instanceof ManifestError ? problemsOf(error) : [error];
    for (const failure of failures) {
      logger.fatal({ err: failure }, failure instanceof Error ? failure.message : String(failure));
    }
    logger.flush();
    return 1;
  }
}

interface UpFlags {
  file: string;
  listen: string;
  variable: string[];
  'log-format': string;
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
  limit: string[];
  metrics: boolean;
  'metrics-listen'?: string | undefined;
}

async function serve(values: UpFlags, logger: Logger): Promise<number> {
  const limits = parseLimitFlags(values.limit);
  const app = await loadApp(resolve(values.file));
  const listen: ListenOptions = {
    ...parseListen(values.listen, process.env.PORT),
    ...tlsOptions(values['tls-cert'], values['tls-key']),
  };
  const running = await startApp(app, {
    listen,
    variables: parseVariables(values.variable),
    logger,
    limits,
    metrics: metricsOption(values.metrics, values['metrics-listen']),
  });
  banner(running, values['log-format'], logger);
  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  logger.info({ signal }, 'stopping: finishing events in flight');
  await running.stop();
  logger.flush();
  return 0;
}

function metricsOption(on: boolean, listen: string | undefined): boolean | { listen: ListenOptions } {
  if (listen === undefined) return on;
  if (!on) throw new SpindleError('--metrics-listen and --no-metrics contradict each other: give one');
  return { listen: parseListen(listen, undefined, '--metrics-listen') };
}

/** Where spindle serves, in one write, so that whoever waits for "Serving" reads the routes with it. */
function banner(running: RunningApp, format: string, logger: Logger): void {
  const serving = `Serving ${running.url.href} (app ${running.app.name})`;
  if (format === 'json') {
    logger.info({ url: running.url.href, routes: running.endpoints, metrics: running.metricsUrl?.href }, serving);
    return;
  }
  const routes = running.endpoints.map((e) => `\n  ${e}`).join('');
  const metrics = running.metricsUrl ? `\nMetrics: ${running.metricsUrl.href}` : '';
  console.log(`${serving}${routes ? `\nAvailable routes:${routes}` : ''}${metrics}`);
}
