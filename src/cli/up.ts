import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseLimitFlags } from '../app/limits.ts';
import { loadApp } from '../app/load.ts';
import { startApp } from '../engine.ts';
import { SpindleError } from '../errors.ts';
import { guardProcess } from '../host/process-guard.ts';
import type { ListenOptions } from '../host/server.ts';
import { createLogger, type LogFormat } from '../log.ts';
import { parseListen, parseVariables, tlsOptions } from './options.ts';

export const UP_USAGE = `  spindle up [-f FILE|DIR] [--listen HOST[:PORT]] [--variable NAME=VALUE]...
             [--log-format pretty|json] [--tls-cert FILE --tls-key FILE]
             [--limit NAME=VALUE]...
      Start the app in spindle.toml (or spin.toml) and serve until SIGINT/SIGTERM.
      Default manifest ./spindle.toml, default listen 127.0.0.1:3000 (a HOST alone
      takes its port from PORT, else 3000). --limit sets one of [application.limits]
      (e.g. --limit max_body_bytes=1048576) over the manifest.
`;

export async function up(args: string[]): Promise<number> {
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
