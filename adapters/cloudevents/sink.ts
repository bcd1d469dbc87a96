import {
  type CloudEvent,
  type EventSink,
  redactUrl,
  type SendOptions,
  SINK_RESPONSE_BODY_LIMIT,
  type SinkAdapter,
  SinkError,
} from '../../src/adapter.ts';
import { decode, encode } from './codec.ts';

/** Without the route's `retry.timeout`, how long a POST may take. */
const TIMEOUT_MS = 30_000;

/**
 * An HTTP(S) sink: each event is POSTed in binary mode, in order, as Knative's data plane
 * does. A 2xx is acceptance; 408, 429 and 5xx are worth retrying, other 4xx are not. A
 * refusal carries the status, the start of the body and `Retry-After` to the core, which
 * decides the delay and writes the dead letter.
 * Credentials in the URI (`http://user:pass@host/`) are sent as an `Authorization: Basic`
 * header (fetch refuses a URL that carries them) and never shown.
 */
export class HttpSink implements EventSink {
  readonly uri: string;
  readonly #target: string;
  readonly #authorization: string | undefined;

  constructor(uri: URL) {
    const target = new URL(uri.href);
    if (target.username !== '' || target.password !== '') {
      const credentials = `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`;
      this.#authorization = `Basic ${Buffer.from(credentials).toString('base64')}`;
      target.username = '';
      target.password = '';
    }
    this.#target = target.href;
    this.uri = redactUrl(uri);
  }

  async send(events: CloudEvent[], options: SendOptions = {}): Promise<void> {
    for (const event of events) {
      const response = await this.#post(event, 'binary', options.signal ?? AbortSignal.timeout(TIMEOUT_MS));
      await response.body?.cancel();
    }
  }

  /** The reply of a CloudEvents target: one event (binary or structured), a batch, or none (202, empty). */
  async request(event: CloudEvent, mode: 'binary' | 'structured'): Promise<CloudEvent[]> {
    const response = await this.#post(event, mode, AbortSignal.timeout(TIMEOUT_MS));
    const body = new Uint8Array(await response.arrayBuffer());
    if (body.length === 0) return [];
    try {
      return decode({ headers: Object.fromEntries(response.headers), body }).events;
    } catch (cause) {
      throw new SinkError(
        this.uri,
        `answered event ${event.id} with something not a CloudEvent: ${(cause as Error).message}`,
        { cause, retriable: false },
      );
    }
  }

  async close(): Promise<void> {}

  /** POST one event; the response if it is a 2xx (its body unread), else a SinkError. */
  async #post(event: CloudEvent, mode: 'binary' | 'structured', signal: AbortSignal): Promise<Response> {
    const { headers, body } = encode(event, mode);
    let response: Response;
    try {
      const sent = this.#authorization === undefined ? headers : { ...headers, authorization: this.#authorization };
      response = await fetch(this.#target, {
        method: 'POST',
        headers: sent,
        body,
        signal,
      });
    } catch (cause) {
      const reason = (cause as Error & { cause?: Error }).cause?.message ?? (cause as Error).message;
      throw new SinkError(this.uri, `POST of event ${event.id} failed: ${reason}`, { cause });
    }
    if (response.ok) return response;
    const retriable = response.status >= 500 || response.status === 408 || response.status === 429;
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    const start = await bodyStart(response);
    // The body says why (a CloudEvents target's reason), cut short: it is shown, not kept.
    const reason = new TextDecoder().decode(start).trim().slice(0, 500);
    throw new SinkError(
      this.uri,
      `answered ${response.status} ${response.statusText} to event ${event.id}${reason ? `: ${reason}` : ''}`,
      {
        retriable,
        response: { status: response.status, body: start, ...(retryAfter === undefined ? {} : { retryAfter }) },
      },
    );
  }
}

/** The first SINK_RESPONSE_BODY_LIMIT bytes of a refusal's body (what Knative keeps), the rest left unread. */
async function bodyStart(response: Response): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    while (length < SINK_RESPONSE_BODY_LIMIT) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      length += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // A body cut short is still worth its start.
  }
  return Buffer.concat(chunks).subarray(0, SINK_RESPONSE_BODY_LIMIT);
}

export const httpSinkAdapter: SinkAdapter = {
  schemes: ['http', 'https'],
  open: async (uri) => new HttpSink(uri),
};
