import {
  type CloudEvent,
  type EventSink,
  redactUrl,
  type SendOptions,
  SINK_RESPONSE_BODY_LIMIT,
  type SinkAdapter,
  SinkError,
} from '../../src/adapter.ts';
import { encodeBinary } from './codec.ts';

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
    for (const event of events) await this.#post(event, options.signal ?? AbortSignal.timeout(TIMEOUT_MS));
  }

  async close(): Promise<void> {}

  async #post(event: CloudEvent, signal: AbortSignal): Promise<void> {
    const { headers, body } = encodeBinary(event);
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
    if (response.ok) {
      await response.body?.cancel();
      return;
    }
    const retriable = response.status >= 500 || response.status === 408 || response.status === 429;
    const retryAfter = response.headers.get('retry-after') ?? undefined;
    const start = await bodyStart(response);
    throw new SinkError(this.uri, `answered ${response.status} ${response.statusText} to event ${event.id}`, {
      retriable,
      response: { status: response.status, body: start, ...(retryAfter === undefined ? {} : { retryAfter }) },
    });
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
