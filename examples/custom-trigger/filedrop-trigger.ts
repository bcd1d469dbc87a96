/**
 * A third-party trigger type for spindle, written against its adapter entry only: every
 * file dropped into a directory becomes a CloudEvent (data = the file's bytes); the file
 * is deleted only once the event was processed (emitted, filtered or dead-lettered), so
 * a file whose processing failed stays for the next start.
 *
 * The manifest names the module and then uses the type like a built-in one:
 *
 *   [application.trigger.filedrop]
 *   module = "./filedrop-trigger.ts"
 *   [[trigger.filedrop]]
 *   dir = "inbox"
 *   component = "transform"
 *   sink = "http://127.0.0.1:8080/"
 */
import { watch } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
// An adapter in its own package imports 'spindle/adapter', the same entry.
import {
  type CloudEvent,
  InFlight,
  parseRouteConfig,
  type RouteConfig,
  type TriggerAdapter,
} from '../../src/adapter.ts';

interface FileDropConfig extends RouteConfig {
  dir: string;
}

const fileDrop: TriggerAdapter<FileDropConfig> = {
  type: 'filedrop',

  parseConfig(table, app) {
    return { ...parseRouteConfig(table), dir: resolve(app.dir, table.string('dir')) };
  },

  async start(ctx, configs) {
    const inFlight = new InFlight();
    const watchers = await Promise.all(
      configs.map(async (config) => {
        const route = await ctx.route(config);
        const busy = new Set<string>();
        const take = async (name: string) => {
          if (busy.has(name) || name.startsWith('.')) return; // dotfiles: editors' and git's
          busy.add(name);
          const path = join(config.dir, name);
          try {
            const data = await readFile(path).catch(() => undefined);
            if (data === undefined) return; // already gone
            const event: CloudEvent = {
              id: name,
              source: `file://${config.dir}`,
              type: 'dev.example.file.dropped',
              specversion: '1.0',
              subject: name,
              extensions: {},
              data,
            };
            const outcome = await ctx.dispatch(route, event);
            if (outcome.kind === 'failed') ctx.logger.error({ file: path, err: outcome.error.message }, 'kept');
            else await rm(path, { force: true });
          } finally {
            busy.delete(name);
          }
        };
        // Files already there, then every file that appears.
        for (const name of await readdir(config.dir)) void inFlight.run(() => take(name));
        return watch(config.dir, (_event, name) => {
          if (name) void inFlight.run(() => take(name));
        });
      }),
    );
    return {
      describe: () => configs.map((c) => `files dropped in ${c.dir} -> ${c.component}`),
      drain: async () => {
        for (const watcher of watchers) watcher.close();
        await inFlight.idle();
      },
      close: async () => {},
    };
  },
};

export default fileDrop;
