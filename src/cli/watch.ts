import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadApp } from '../app/load.ts';
import type { AppConfig } from '../app/model.ts';
import { buildApp } from '../build/build-app.ts';
import { type RunningApp, startApp } from '../engine.ts';
import { messagesOf } from '../errors.ts';
import { guardProcess } from '../host/process-guard.ts';
import { createLogger } from '../log.ts';
import { AppWatcher, type Change } from '../watch/app-watcher.ts';
import { APP_FLAGS, parseListen, parseVariables } from './options.ts';
import { Progress } from './progress.ts';

export const WATCH_USAGE = `  spindle watch [-f FILE|DIR] [--listen HOST[:PORT]] [--variable NAME=VALUE]...
      Build and start the app, then rebuild a component when the files of its
      [component.<id>.build] watch globs change, and restart the app (after the events
      in flight are answered) when a build succeeded or the manifest changed.
`;

export async function watchCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: APP_FLAGS,
  });
  const logger = createLogger({ format: 'pretty' });
  guardProcess(logger);
  const manifest = resolve(values.file);
  const variables = parseVariables(values.variable);
  let listen = parseListen(values.listen, process.env.PORT);

  let app = await loadApp(manifest, { checkSources: false });
  await build(app, undefined);
  let running = await start(manifest, { listen, variables, logger });
  listen = { host: listen.host, port: Number(running.url.port) }; // port 0: keep the one given
  let queue = Promise.resolve();
  const watcher = new AppWatcher(app, (change) => {
    queue = queue.then(() => apply(change));
  });
  await watcher.ready();
  const outside = watcher.roots.filter((root) => root !== resolve(app.dir)).map((root) => relative(app.dir, root));
  console.log(`Watching ${app.dir}${outside.length > 0 ? ` and ${outside.join(', ')}` : ''} for changes`);

  // One change at a time: a build or restart in progress finishes before the next begins.
  const apply = async (change: Change) => {
    const files = change.files.map((f) => relative(app.dir, f)).join(', ');
    console.log(`Changed: ${files}`);
    let stopped = false;
    try {
      const next = await loadApp(manifest, { checkSources: false });
      await build(next, change.manifest ? undefined : [...change.rebuild]);
      await loadApp(manifest); // the sources exist now: fail here, while the old app still serves
      app = next;
      await watcher.update(app);
      console.log('Restarting: finishing the events in flight');
      await running.stop();
      stopped = true;
      running = await start(manifest, { listen, variables, logger });
    } catch (error) {
      const state = stopped ? 'The app is stopped until the next change.' : 'Still serving the app as it was.';
      // Each of a manifest's problems on its own line, as `spindle up` shows them.
      console.error([...messagesOf(error).map((m) => `Error: ${m}`), state].join('\n'));
    }
  };

  const signal = await new Promise<NodeJS.Signals>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  logger.info({ signal }, 'stopping: finishing events in flight');
  await watcher.close();
  await queue;
  await running.stop();
  logger.flush();
  return 0;
}

async function build(app: AppConfig, only: string[] | undefined): Promise<void> {
  const progress = new Progress({ live: false });
  await buildApp(
    app,
    {
      start: (id, command) => progress.step(`Building component ${id} with \`${command}\``),
      finish: (_id, ok) => (ok ? progress.done() : progress.fail()),
    },
    only === undefined ? {} : { only },
  );
}

async function start(
  manifest: string,
  options: {
    listen: { host: string; port: number };
    variables: Record<string, string>;
    logger: ReturnType<typeof createLogger>;
  },
): Promise<RunningApp> {
  const running = await startApp(await loadApp(manifest), options);
  const routes = running.endpoints.map((e) => `\n  ${e}`).join('');
  console.log(`Serving ${running.url.href} (app ${running.app.name})${routes ? `\nAvailable routes:${routes}` : ''}`);
  return running;
}
