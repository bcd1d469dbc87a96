import type { IncomingMessage } from 'node:http';
import { type Limits, limitText } from '../app/limits.ts';
import { HttpRefusal } from './http-refusal.ts';

/**
 * The request body as bytes, exactly as sent, up to `max_body_bytes`; every HTTP trigger
 * reads it here. Rejects with an HttpRefusal 413 past the limit (without keeping the
 * rest), or with the stream's error when the client aborts or the request times out:
 * callers await it inside their error handling, so one client ends only its own request.
 * Read by hand rather than with express.raw(): the body-parser stack (type-is, raw-body,
 * charset handling) was a tenth of the main thread's CPU per event in bench/http-target.
 */
export function readBody(req: IncomingMessage, limits: Pick<Limits, 'maxBodyBytes'>): Promise<Buffer> {
  const max = limits.maxBodyBytes;
  // Past the limit the 413 goes out at once, and the rest of the body is read and dropped
  // as it comes (a lingering close, as nginx does): a client still writing its body when
  // the connection closes never reads the answer (EPIPE). Nothing is kept, and
  // request_timeout_ms bounds a sender that never stops.
  const tooLarge = () => {
    req.resume();
    return new HttpRefusal(413, `the request body is larger than ${max} bytes (${limitText(limits, 'maxBodyBytes')})`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off('data', onData);
      chunks.length = 0;
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    req.once('error', reject);
    // 'aborted' without 'error' (older Node) still must settle the promise.
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before the body was complete'));
    });
  });
}
