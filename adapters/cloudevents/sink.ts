import { type CloudEvent, type EventSink, redactUrl, type SinkAdapter, SinkError } from '../../src/adapter.ts';
import { encodeBinary } from './codec.ts';

const TIMEOUT_MS = 30_000;

/**
 * An HTTP(S) sink: each event is POSTed in binary mode, in order, as Knative's data plane
 * does. A 2xx is acceptance; 408, 429 and 5xx are worth retrying, other 4xx are not.
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

  async send(events: CloudEvent[]): Promise<void> {
    for (const event of events) await this.#post(event);
  }

  async close(): Promise<void> {}

  async #post(event: CloudEvent): Promise<void> {
    const { headers, body } = encodeBinary(event);
    let response: Response;
    try {
      const sent = this.#authorization === undefined ? headers : { ...headers, authorization: this.#authorization };
      response = await fetch(this.#target, {
        method: 'POST',
        headers: sent,
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (cause) {
      const reason = (cause as Error & { cause?: Error }).cause?.message ?? (cause as Error).message;
      throw new SinkError(this.uri, `POST of event ${event.id} failed: ${reason}`, { cause });
    }
    await response.body?.cancel();
    if (response.ok) return;
    const retriable = response.status >= 500 || response.status === 408 || response.status === 429;
    throw new SinkError(this.uri, `answered ${response.status} ${response.statusText} to event ${event.id}`, {
      retriable,
    });
  }
}

export const httpSinkAdapter: SinkAdapter = {
  schemes: ['http', 'https'],
  open: async (uri) => new HttpSink(uri),
};
