import { readFile } from 'node:fs/promises';
import { installedVersion } from './installed-version.ts';
import { preludeWorld } from './quickjs-wit.ts';

/**
 * Builds the entry module at `entry` (the prelude in front, guest-entry.ts) into a
 * component with componentize-qjs: QuickJS-ng compiled to wasm, the module evaluated and
 * snapshotted by Wizer at build time. `sync`: the runtime without the component-model
 * async ABI, whose exports jco lowers as plain calls (the async one's need jco's
 * experimental async lowering). Modules resolve from `moduleRoot` only, as componentize-js
 * sees only the guest's folder.
 */
export async function buildWithQuickJs(
  entry: string,
  moduleRoot: string,
  witPath: string,
  worldName: string,
): Promise<Uint8Array> {
  // Loaded on demand: a 40 MB native binding that only builds need.
  const [{ componentize }, jsSource, world] = await Promise.all([
    import('componentize-qjs'),
    readFile(entry, 'utf8'),
    preludeWorld(witPath, worldName),
  ]);
  try {
    const { component } = await componentize({
      witPath: world.witPath,
      world: world.worldName,
      jsSource,
      jsPath: entry,
      moduleRoot,
      sync: true,
    });
    return component;
  } catch (cause) {
    // The binding's messages start with the empty context of its error (": Failed to ...").
    const reason = cause instanceof Error ? cause.message.replace(/^: /, '') : String(cause);
    throw new Error(reason, { cause });
  } finally {
    await world.remove();
  }
}

export function componentizeQjsVersion(): Promise<string> {
  return installedVersion('componentize-qjs', 'package.json');
}
