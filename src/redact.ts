/**
 * Secrets never shown: the one redaction every log line, error body, dead-letter reason
 * and start-up error goes through. It masks the password of any `scheme://user:pass@`
 * URI in a text (sink and broker URIs), and the values of variables declared
 * `secret = true`, as given and as they appear percent-encoded in a URI.
 */

const MASK = '***';

/** `scheme://user:password@`, anywhere in a text: the password is the second group. */
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s/?#@:]*):([^\s/?#@]*)@/gi;

/** The URI (or any text holding URIs) with every password masked: for logs, errors, banners. */
export function redactUrl(uri: string | URL): string {
  const text = typeof uri === 'string' ? uri : uri.href;
  return text.replace(USERINFO, (match, user: string, password: string) =>
    password === '' ? match : `${user}:${MASK}@`,
  );
}

/** Masks URI passwords and the secret values it was given in whatever is about to be shown. */
export class Redactor {
  /** Longest first, so that a secret containing another is masked whole. */
  readonly #secrets: readonly string[];

  constructor(secrets: readonly string[] = []) {
    const forms = secrets.flatMap((secret) => [secret, encodeURIComponent(secret)]).filter((s) => s !== '');
    this.#secrets = [...new Set(forms)].sort((a, b) => b.length - a.length);
  }

  text(text: string): string {
    let shown = text;
    for (const secret of this.#secrets) if (shown.includes(secret)) shown = shown.replaceAll(secret, MASK);
    return redactUrl(shown);
  }

  /**
   * The error with its message, stack, text fields and causes redacted, in place: it is
   * about to leave the process (an answer, a dead letter, a start-up failure, a log).
   */
  error<E>(error: E, depth = 0): E {
    if (!(error instanceof Error) || depth > MAX_DEPTH) return error;
    const fields = error as unknown as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(error)) {
      const value = fields[key];
      if (typeof value === 'string') {
        const shown = this.text(value);
        if (shown !== value) fields[key] = shown;
      } else if (value instanceof Error) {
        this.error(value, depth + 1);
      } else if (Array.isArray(value)) {
        for (const item of value) this.error(item, depth + 1); // ManifestErrors' problems
      }
    }
    return error;
  }

  /** A copy of a log argument with every string in it redacted (errors in place). */
  value(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') return this.text(value);
    if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
    if (value instanceof Error) return this.error(value);
    if (Array.isArray(value)) return value.map((item) => this.value(item, depth + 1));
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return value;
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.value(item, depth + 1)]));
  }
}

/** Deep enough for any log argument or cause chain spindle builds; cycles end here. */
const MAX_DEPTH = 8;
