/**
 * The listener's side of service chaining from guests: a guest's request to
 * `http://<component>.spin.internal/<path>` arrives over loopback at
 * `CHAIN_PREFIX<token>/<component>/<path>` (outbound-http.ts rewrites it), and is answered
 * in-process by that component. The token is this process's secret: any other caller,
 * wrong token or none, gets the listener's 404, so private components stay private.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Limits } from '../app/limits.ts';
import { SpindleError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { readBody } from './body.ts';
import { HttpRefusal } from './http-refusal.ts';
import { serveSafely } from './serve-safely.ts';
import type { ServiceChaining } from './service-chaining.ts';

/** Hop-by-hop and listener headers that do not belong to the chained request. */
const NOT_FORWARDED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'upgrade']);

/**
 * A handler for requests under CHAIN_PREFIX (`req.url` relative to it, as express mounts
 * it); true when it answered the request.
 */
export function chainedRequests(
  token: string,
  chaining: ServiceChaining,
  limits: Pick<Limits, 'maxBodyBytes'>,
  logger: Logger,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const expected = Buffer.from(token);
  return (req, res) => {
    const match = /^\/([^/]+)\/([^/?]+)(.*)$/.exec(req.url ?? '');
    const given = Buffer.from(match?.[1] ?? '');
    if (match === null || given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    const [, , component, rest] = match;
    void serveSafely(logger, res, async () => {
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const headers = Object.entries(req.headers).flatMap(([name, value]) =>
        NOT_FORWARDED.has(name) || value === undefined ? [] : [[name, String(value)] as [string, string]],
      );
      const request = new Request(`http://${component}.spin.internal${rest?.startsWith('/') ? rest : `/${rest}`}`, {
        method: req.method ?? 'GET',
        headers,
        ...(hasBody ? { body: new Uint8Array(await readBody(req, limits)) } : {}),
      });
      let response: Response;
      try {
        response = await chaining.fetch(request);
      } catch (error) {
        if (error instanceof SpindleError) throw new HttpRefusal(404, error.message);
        throw error;
      }
      const body = Buffer.from(await response.arrayBuffer());
      res.statusCode = response.status;
      response.headers.forEach((value, name) => {
        if (name !== 'content-length' && name !== 'transfer-encoding') res.appendHeader(name, value);
      });
      res.setHeader('content-length', body.length);
      res.end(body);
    });
    return true;
  };
}
