declare module 'spindle:event/types@0.1.0' {
  /**
   * A CloudEvent (spec 1.0.2): its context attributes, extensions and data.
   */
  export interface Event {
    /**
     * Identifies the event; with `source`, unique per distinct event.
     */
    id: string,
    /**
     * The context in which the event happened (a URI-reference).
     */
    source: string,
    /**
     * The kind of event, e.g. `com.example.order.created`.
     */
    type: string,
    /**
     * Always "1.0".
     */
    specversion: string,
    /**
     * The media type of `data`, e.g. `application/json`.
     */
    datacontenttype?: string,
    /**
     * A URI of the schema `data` adheres to.
     */
    dataschema?: string,
    /**
     * The subject of the event within `source`.
     */
    subject?: string,
    /**
     * When it happened, an RFC 3339 timestamp.
     */
    time?: string,
    /**
     * Extension attributes as (name, value) pairs: lower-case letters and digits, values
     * in their canonical string form (e.g. `traceparent`).
     */
    extensions: Array<[string, string]>,
    /**
     * The payload, as bytes exactly as sent.
     */
    data?: Uint8Array,
  }
  /**
   * Why `handle` failed, and so what becomes of the event.
   */
  export type Error = ErrorInvalid | ErrorRetry;
  /**
   * Retrying cannot help (bad input): dead-letter it, or answer 400 over HTTP.
   */
  export interface ErrorInvalid {
    tag: 'invalid',
    val: string,
  }
  /**
   * Transient: deliver it again later, with backoff.
   */
  export interface ErrorRetry {
    tag: 'retry',
    val: string,
  }
}
