/**
 * The listener's share of `[application.limits]`: header and request timeouts, the
 * connection cap, the header count, and what a client hears when it breaks one of them.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { type Limits, limitText } from '../app/limits.ts';
import { answerRefusal, HttpRefusal, RETRY_AFTER_SECONDS } from './http-refusal.ts';

/** Options for http(s).createServer that carry the timeouts. */
export function serverOptions(limits: Limits) {
  const headersTimeout = Math.min(limits.headerTimeoutMs, limits.requestTimeoutMs);
  return {
    headersTimeout,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the timeouts every 30 s by default: a 10 s limit would be 40 s.
    connectionsCheckingInterval: Math.max(10, Math.min(1_000, Math.floor(headersTimeout / 4))),
  };
}

/**
 * Count connections and answer clients that break the protocol or a timeout with a
 * status and a reason instead of a bare close. Connections over the cap go to `overCap`:
 * `limitsMiddleware` answers their requests 503.
 */
export function watchConnections(server: Server, limits: Limits, logger: Logger, overCap: WeakSet<Socket>): void {
  let open = 0;
  // Beyond twice the cap node drops connections unanswered: a flood of idle sockets must
  // not take every file descriptor while each waits for its 503.
  server.maxConnections = limits.maxConnections * 2;
  // node:http refuses more header fields than this as it parses (HPE_HEADER_OVERFLOW,
  // answered 431 below): the excess is never stored.
  server.maxHeadersCount = limits.maxHeaders;
  server.on('connection', (socket: Socket) => {
    open++;
    if (open > limits.maxConnections) overCap.add(socket);
    socket.once('close', () => open--);
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const answer = clientErrorAnswer(error, limits);
    logger.debug({ err: error.message, code: error.code, status: answer?.status }, 'client error');
    if (answer === undefined || !socket.writable || socket.bytesWritten > 0) return void socket.destroy();
    const body = `${answer.reason}\n`;
    socket.end(
      `HTTP/1.1 ${answer.status} ${answer.text}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

function clientErrorAnswer(
  error: NodeJS.ErrnoException,
  limits: Limits,
): { status: number; text: string; reason: string } | undefined {
  switch (error.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined; // the client is gone: nobody to answer
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return {
        status: 408,
        text: 'Request Timeout',
        reason:
          `the request did not arrive in time: headers within ${limits.headerTimeoutMs} ms ` +
          `(${limitText(limits, 'headerTimeoutMs')}), the whole request within ${limits.requestTimeoutMs} ms ` +
          `(${limitText(limits, 'requestTimeoutMs')})`,
      };
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        text: 'Request Header Fields Too Large',
        reason:
          `the request has more than ${limits.maxHeaders} header fields (${limitText(limits, 'maxHeaders')}) ` +
          `or more than ${http.maxHeaderSize} bytes of headers (node's --max-http-header-size)`,
      };
    default:
      return { status: 400, text: 'Bad Request', reason: `malformed HTTP request: ${error.message}` };
  }
}

/**
 * First on the listener: a request on a connection over `max_connections` is answered
 * 503 (and the connection closed). `exempt` routes (the health route) still answer: a
 * liveness probe under load must not read as a dead process.
 */
export function limitsMiddleware(limits: Limits, overCap: WeakSet<Socket>, exempt: ReadonlySet<string>) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    if (overCap.has(req.socket) && !exempt.has(req.url?.split('?')[0] ?? '')) {
      answerRefusal(
        res,
        new HttpRefusal(
          503,
          `spindle serves at most ${limits.maxConnections} connections at once (${limitText(limits, 'maxConnections')}); try again`,
          { headers: { connection: 'close', 'retry-after': String(RETRY_AFTER_SECONDS) } },
        ),
      );
      return;
    }
    next();
  };
}
