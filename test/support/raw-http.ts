/**
 * HTTP spoken by hand over node:net, for clients that misbehave: bodies cut short,
 * connections reset, requests that stall half-way.
 */
import { once } from 'node:events';
import net from 'node:net';

/** A connection to `url`'s host and port, open. */
export async function connect(url: URL): Promise<net.Socket> {
  const socket = net.connect(Number(url.port), url.hostname);
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sends until it closes the connection (or `timeoutMs` passes: then it fails). */
export function readUntilClosed(socket: net.Socket, timeoutMs = 15_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server did not close the connection within ${timeoutMs} ms; it sent: ${text}`));
    }, timeoutMs);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    socket.on('error', () => {}); // a reset after the answer still ends the exchange
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(text);
    });
  });
}

/** Send `head` (and `body`), half-close, and return the whole answer. */
export async function exchange(url: URL, head: string, body: string | Buffer = ''): Promise<string> {
  const socket = await connect(url);
  const answer = readUntilClosed(socket);
  socket.end(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)]));
  return answer;
}

/** The status code of a raw answer (`HTTP/1.1 408 Request Timeout` -> 408), or 0 for none. */
export function statusOf(answer: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);
}

/** A request head; `headers` in order, CRLF line ends, the blank line included. */
export function requestHead(method: string, path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `${method} ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\n${lines.join('\r\n')}${lines.length ? '\r\n' : ''}\r\n`;
}
