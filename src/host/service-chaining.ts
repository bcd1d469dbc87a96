/**
 * Spin's service chaining: a component calls another component of the same app with an
 * outbound request to `http://<component-id>.spin.internal/<path>`, answered in-process
 * without touching the network or the listener. HTTP triggers register the components
 * they serve (private ones included); the outbound HTTP client hands such requests here.
 */
import { SpindleError } from '../errors.ts';

/** Answers one chained request with the component it was registered for. */
export type InternalHandler = (request: Request) => Promise<Response>;

const SUFFIX = '.spin.internal';

/** The component a `*.spin.internal` URL names, or undefined for any other URL. */
export function chainedComponentId(url: string | URL): string | undefined {
  const host = new URL(url).hostname.toLowerCase();
  if (!host.endsWith(SUFFIX) || host.length === SUFFIX.length) return undefined;
  return host.slice(0, -SUFFIX.length);
}

export class ServiceChaining {
  readonly #handlers = new Map<string, InternalHandler>();

  /** `componentId` answers `http://<componentId>.spin.internal/...`; the first registration holds. */
  serve(componentId: string, handler: InternalHandler): void {
    const id = componentId.toLowerCase();
    if (!this.#handlers.has(id)) this.#handlers.set(id, handler);
  }

  /**
   * The response of the component `request.url` names. Rejects with a SpindleError when
   * the URL is not a `*.spin.internal` one or no HTTP trigger serves that component.
   */
  async fetch(request: Request): Promise<Response> {
    const id = chainedComponentId(request.url);
    if (id === undefined)
      throw new SpindleError(`${request.url} is not a service-chaining URL (http://<component>${SUFFIX}/)`);
    const handler = this.#handlers.get(id);
    if (handler === undefined) {
      const served = [...this.#handlers.keys()].join(', ') || 'none';
      throw new SpindleError(`no HTTP component '${id}' to chain to (components served over HTTP: ${served})`);
    }
    return handler(request);
  }
}
