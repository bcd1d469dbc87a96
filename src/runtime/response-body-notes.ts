/**
 * Why an outbound response body ended early, in words for the event's error: the guest
 * sees only a stream error (componentize-js's fetch: "IO error reading from incoming
 * response body"). preview2-shim 0.26 ends a body whose server went quiet for the
 * request's inactivity timeout the same way as one whose connection broke; the time
 * since the guest last got bytes tells them apart.
 */

/** The parts of the shim's `incoming-response` and its body that are watched. */
export interface ShimInputStream {
  read(len: bigint): Uint8Array;
  blockingRead(len: bigint): Uint8Array;
}
export interface ShimIncomingBody {
  stream(): ShimInputStream;
}
export interface ShimIncomingResponse {
  consume(): ShimIncomingBody;
}

/** How a body ended early: after how many bytes, and whether the server had gone quiet for the timeout. */
export interface BodyFailure {
  received: number;
  timedOut: boolean;
}

/**
 * Calls `note` once, when a read of the body of `response` fails. `quietMs` is the
 * inactivity timeout in force for the body. Methods are replaced on the shim's own
 * objects: jco's glue checks that a resource is the shim's class.
 */
export function watchResponseBody(
  response: ShimIncomingResponse,
  quietMs: number,
  note: (failure: BodyFailure) => void,
): void {
  const consume = response.consume.bind(response);
  response.consume = () => {
    const body = consume();
    const stream = body.stream.bind(body);
    body.stream = () => watchStream(stream(), quietMs, note);
    return body;
  };
}

function watchStream(stream: ShimInputStream, quietMs: number, note: (failure: BodyFailure) => void): ShimInputStream {
  let received = 0;
  let lastBytesAt = performance.now();
  let noted = false;
  const watch =
    (read: (len: bigint) => Uint8Array) =>
    (len: bigint): Uint8Array => {
      try {
        const chunk = read(len);
        if (chunk.length > 0) {
          received += chunk.length;
          lastBytesAt = performance.now();
        }
        return chunk;
      } catch (error) {
        // `closed` is the body's normal end; `last-operation-failed` is a failure.
        if (!noted && (error as { tag?: string } | undefined)?.tag === 'last-operation-failed') {
          noted = true;
          // The timeout runs from when the bytes arrived, a little before the guest read them.
          note({ received, timedOut: performance.now() - lastBytesAt >= quietMs * 0.9 });
        }
        throw error;
      }
    };
  stream.read = watch(stream.read.bind(stream));
  stream.blockingRead = watch(stream.blockingRead.bind(stream));
  return stream;
}
