/**
 * A CGI response, as a Wagi module prints it on stdout (RFC 3875 section 6, as Spin's
 * Wagi executor reads it): header lines, an empty line, the body. Spin's HTTP trigger
 * guide: "either the `content-type` or `location` headers must be set"; `status: 404 Not
 * Found` sets the status; `location` without `status` is a 302. CR before LF is ignored in
 * the header block. Pure, unit-tested.
 */

export interface CgiResponse {
  status: number;
  /** Lower-case names, in the order printed. */
  headers: [string, string][];
  body: Uint8Array;
}

/** Why the output is not a usable CGI response (spindle answers 502 and logs this). */
export class MalformedCgiResponse extends Error {
  override name = 'MalformedCgiResponse';
}

const LF = 0x0a;
const CR = 0x0d;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function parseCgiResponse(stdout: Uint8Array): CgiResponse {
  const split = headerEnd(stdout);
  if (split === undefined) {
    const what = stdout.length === 0 ? 'the module printed nothing' : 'no empty line ends the header block';
    throw new MalformedCgiResponse(`${what} (a CGI response is header lines, an empty line, then the body)`);
  }
  const block = new TextDecoder().decode(stdout.subarray(0, split.headersEnd)).replaceAll('\r', '');
  const headers: [string, string][] = [];
  let status: number | undefined;
  let sufficient = false;
  for (const line of block.split('\n')) {
    if (line === '') continue;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim().toLowerCase() : '';
    if (!TOKEN.test(name)) throw new MalformedCgiResponse(`${JSON.stringify(line)} is not a header line (name: value)`);
    const value = line.slice(colon + 1).trim();
    if (name === 'status') {
      // `Status: 404 Not Found`: the code, then an optional reason phrase.
      const code = /^(\d{3})(\s|$)/.exec(value)?.[1];
      const parsed = Number(code);
      if (code === undefined || parsed < 100 || parsed > 599) {
        throw new MalformedCgiResponse(`status ${JSON.stringify(value)} is not an HTTP status code`);
      }
      status = parsed;
      continue;
    }
    if (name === 'content-type' || name === 'location') sufficient = true;
    headers.push([name, value]);
  }
  if (!sufficient) throw new MalformedCgiResponse('the response has neither a content-type nor a location header');
  const redirect = headers.some(([name]) => name === 'location');
  return { status: status ?? (redirect ? 302 : 200), headers, body: stdout.subarray(split.bodyStart) };
}

/** Where the header block ends: the first LF followed (CRs aside) by another LF. */
function headerEnd(bytes: Uint8Array): { headersEnd: number; bodyStart: number } | undefined {
  let lineStart = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== LF) continue;
    let blank = true;
    for (let j = lineStart; j < i; j++) if (bytes[j] !== CR) blank = false;
    if (blank) return { headersEnd: lineStart, bodyStart: i + 1 };
    lineStart = i + 1;
  }
  return undefined;
}
