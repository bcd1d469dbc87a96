/**
 * Where trigger types and sink schemes come from. Built-in adapters are imported lazily,
 * by the manifest's needs, so that the core never loads a broker client it does not use.
 * Third-party trigger types are named in the manifest:
 *
 *   [application.trigger.cron]
 *   module = "./cron-trigger.ts"     # or a package name
 */
import { pathToFileURL } from 'node:url';
import { SpindleError } from './errors.ts';
import { moduleUrl } from './package-files.ts';
import type { Adapter, SinkAdapter, TriggerAdapter } from './trigger.ts';

const BUILTIN_TRIGGERS: Record<string, string> = {
  cloudevents: 'cloudevents',
  http: 'http',
  redis: 'redis',
  kafka: 'kafka',
  amqp: 'amqp',
  timer: 'timer',
};

const BUILTIN_SINKS: Record<string, string> = {
  http: 'cloudevents',
  https: 'cloudevents',
  kafka: 'kafka',
  redis: 'redis',
  rediss: 'redis',
  amqp: 'amqp',
  amqps: 'amqp',
};

export const builtinTriggerTypes = Object.keys(BUILTIN_TRIGGERS);
export const builtinSinkSchemes = Object.keys(BUILTIN_SINKS);

/** Load the adapter module at `specifier`: its default export is an Adapter or a TriggerAdapter. */
export async function importAdapter(specifier: string): Promise<Adapter> {
  const url = specifier.startsWith('/') ? pathToFileURL(specifier).href : specifier;
  let mod: { default?: unknown };
  try {
    mod = await import(url);
  } catch (cause) {
    throw new SpindleError(`cannot load adapter module ${specifier}: ${(cause as Error).message}`, { cause });
  }
  const exported = mod.default as (Adapter & Partial<TriggerAdapter>) | undefined;
  if (exported && typeof exported.type === 'string' && typeof exported.start === 'function') {
    return { triggers: [exported as TriggerAdapter<unknown>] };
  }
  if (exported && (Array.isArray(exported.triggers) || Array.isArray(exported.sinks))) return exported;
  throw new SpindleError(
    `adapter module ${specifier} must export default a TriggerAdapter ({ type, parseConfig, start }) or { triggers, sinks }`,
  );
}

/** Adapter lookup by trigger type or sink scheme, loading each module once. */
export class AdapterRegistry {
  readonly #modules = new Map<string, Promise<Adapter>>();
  readonly #triggerModules: Record<string, string>;
  readonly #given: readonly Adapter[];

  /**
   * `triggerModules`: trigger type -> module specifier, from the manifest; `given`:
   * adapters an embedding program passes in code, looked up first.
   */
  constructor(triggerModules: Record<string, string> = {}, given: readonly Adapter[] = []) {
    this.#triggerModules = triggerModules;
    this.#given = given;
  }

  async trigger(type: string): Promise<TriggerAdapter<unknown> | undefined> {
    const inCode = this.#given.flatMap((a) => a.triggers ?? []).find((t) => t.type === type);
    if (inCode !== undefined) return inCode;
    const specifier = this.#triggerModules[type] ?? builtin(BUILTIN_TRIGGERS[type]);
    if (specifier === undefined) return undefined;
    const adapter = await this.#load(specifier);
    return adapter.triggers?.find((t) => t.type === type);
  }

  async sink(scheme: string): Promise<SinkAdapter | undefined> {
    const inCode = this.#given.flatMap((a) => a.sinks ?? []).find((s) => s.schemes.includes(scheme));
    if (inCode !== undefined) return inCode;
    const specifier = builtin(BUILTIN_SINKS[scheme]);
    const candidates = [...(specifier ? [specifier] : []), ...Object.values(this.#triggerModules)];
    for (const candidate of candidates) {
      const found = (await this.#load(candidate)).sinks?.find((s) => s.schemes.includes(scheme));
      if (found) return found;
    }
    return undefined;
  }

  #load(specifier: string): Promise<Adapter> {
    let loaded = this.#modules.get(specifier);
    if (loaded === undefined) {
      loaded = importAdapter(specifier);
      this.#modules.set(specifier, loaded);
    }
    return loaded;
  }
}

/** A built-in adapter's module path: adapters/<name>/index, as TypeScript or from dist/. */
function builtin(name: string | undefined): string | undefined {
  return name === undefined ? undefined : moduleUrl(`adapters/${name}/index`).pathname;
}
