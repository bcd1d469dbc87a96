import type { World } from './component.ts';

/** A component export as jco lists it: the WIT name, and whether it is an interface. */
export type ExportEntry = readonly [name: string, kind: 'function' | 'instance'];

// Export names with an optional `@version` suffix (spin SDKs differ in what they stamp).
const INTERFACE_WORLDS: [RegExp, World][] = [
  [/^spindle:event\/handler(@.+)?$/, 'event'],
  [/^fermyon:spin\/inbound-redis(@.+)?$/, 'spin-redis'],
  [/^fermyon:spin\/inbound-http(@.+)?$/, 'spin-http'],
  [/^wasi:http\/incoming-handler@0\.2\.\d+$/, 'wasi-http'],
];

/** The worlds a component implements, read from its exports (one may serve several). */
export function worldsOf(exports: readonly ExportEntry[]): Set<World> {
  const worlds = new Set<World>();
  for (const [name, kind] of exports) {
    if (kind === 'function') {
      if (name === 'handle-timer-request' || name === 'handleTimerRequest') worlds.add('timer');
      continue;
    }
    for (const [pattern, world] of INTERFACE_WORLDS) if (pattern.test(name)) worlds.add(world);
  }
  return worlds;
}
