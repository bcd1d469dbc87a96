import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { postOnce } from '../support/post-once.ts';
import { spawnUntil, type UntilProcess } from '../support/spawn-until.ts';
import { SPINDLE_BIN } from '../support/spindle-process.ts';
import { waitFor } from '../support/wait.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** The fixtures' engine cache: componentize is slow cold. */
const CACHE = join(ROOT, 'node_modules', '.cache', 'spindle-fixtures');

/** A guest that busy-waits the milliseconds its data says, then answers with type `<version><suffix>`. */
const guest = (version: string) => `import { get } from 'fermyon:spin/variables@2.0.0';
const decoder = new TextDecoder();
export const handler = {
  handle(event) {
    const until = Date.now() + Number(decoder.decode(event.data ?? new Uint8Array()) || 0);
    while (Date.now() < until) {}
    return [{ id: event.id, source: 'watch', specversion: '1.0', type: '${version}' + get('suffix'), extensions: [] }];
  },
};
`;

const manifest = (suffix: string) => `[application]
name = "watched"
[variables]
suffix = { default = "${suffix}" }
[[trigger.cloudevents]]
component = "w"
[component.w]
source = "w.wasm"
[component.w.variables]
suffix = "{{ suffix }}"
[component.w.build]
command = "spindle componentize src/guest.js -o w.wasm"
watch = ["src/**/*.js"]
`;

/** POST an event whose guest busy-waits `busyMs` (the app restarts between requests); the reply's type. */
function send(url: URL, id: string, busyMs = 0) {
  return postOnce(url, { id, type: 't', body: String(busyMs), contentType: 'text/plain' });
}

let watch: UntilProcess | undefined;
afterAll(() => watch?.stop('SIGKILL'));

it('rebuilds on a source change and restarts on a manifest change, answering the event in flight', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-watch-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'spindle.toml'), manifest('.one'));
  writeFileSync(join(dir, 'src', 'guest.js'), guest('v1'));
  watch = await spawnUntil(process.execPath, [SPINDLE_BIN, 'watch', '-f', dir, '--listen', '127.0.0.1:0'], {
    env: { SPINDLE_CACHE_DIR: CACHE },
    until: /Watching \S+ for changes/,
    timeoutMs: 240_000,
  });
  const output = watch.output;
  const url = new URL(/Serving (\S+)/.exec(output())?.[1] ?? '');
  const served = () => output().match(/Serving /g)?.length ?? 0;
  expect(await send(url, 'a')).toEqual({ status: 200, type: 'v1.one' });

  // A source change: the component is rebuilt, and the app restarted with it.
  writeFileSync(join(dir, 'src', 'guest.js'), guest('v2'));
  await waitFor(() => served() === 2, { what: 'the restart after the rebuild', timeoutMs: 240_000 });
  expect(output()).toMatch(/Changed: src\/guest\.js\nBuilding component w /);
  expect(output()).toMatch(/`spindle componentize src\/guest\.js -o w\.wasm` \(\d+\.\d s\)\nRestarting/);
  expect(await send(url, 'b')).toEqual({ status: 200, type: 'v2.one' });

  // An event in flight while the manifest changes is answered before the app restarts.
  // Busy longer than the restart takes to begin (a debounce and an up-to-date build).
  const slow = send(url, 'slow', 8_000).then((reply) => ({
    ...reply,
    answeredAfterTheRestartBegan: output().includes('Restarting: finishing the events in flight'),
  }));
  await new Promise((resolve) => setTimeout(resolve, 200)); // the request on its way before the change
  writeFileSync(join(dir, 'spindle.toml'), manifest('.two'));
  expect(await slow).toEqual({ status: 200, type: 'v2.one', answeredAfterTheRestartBegan: true });
  await waitFor(() => served() === 3, { what: 'the restart after the manifest change', timeoutMs: 120_000 });
  expect(output()).toContain('Changed: spindle.toml');
  expect(output()).toContain('Restarting: finishing the events in flight');
  expect(await send(url, 'c')).toEqual({ status: 200, type: 'v2.two' });

  // The builds wrote w.wasm and its record: neither set off another round.
  expect(output()).not.toMatch(/Changed: .*w\.wasm/);
  expect(served()).toBe(3);
}, 600_000);
