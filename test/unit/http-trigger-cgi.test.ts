import { describe, expect, it } from 'vitest';
import { MalformedCgiResponse, parseCgiResponse } from '../../adapters/http/cgi-response.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (body: Uint8Array) => new TextDecoder().decode(body);

describe('CGI response parser (Wagi stdout)', () => {
  it('reads headers, an empty line, then the body; status 200 by default', () => {
    const response = parseCgiResponse(bytes('content-type: text/html; charset=UTF-8\n\nhello world\n'));
    expect(response.status).toBe(200);
    expect(response.headers).toEqual([['content-type', 'text/html; charset=UTF-8']]);
    expect(text(response.body)).toBe('hello world\n');
  });

  it('accepts CRLF line ends in the header block and keeps the body as is', () => {
    const response = parseCgiResponse(bytes('Content-Type: text/plain\r\nX-Extra: 1\r\n\r\nline1\r\n\r\nline2'));
    expect(response.headers).toEqual([
      ['content-type', 'text/plain'],
      ['x-extra', '1'],
    ]);
    expect(text(response.body)).toBe('line1\r\n\r\nline2');
  });

  it('honours status, code and reason phrase', () => {
    const response = parseCgiResponse(bytes('Status: 404 Not Found\ncontent-type: text/plain\n\nnope'));
    expect(response.status).toBe(404);
    expect(response.headers).toEqual([['content-type', 'text/plain']]);
  });

  it('a location without status is a 302; with status, that status', () => {
    expect(parseCgiResponse(bytes('location: /elsewhere\n\n'))).toMatchObject({
      status: 302,
      headers: [['location', '/elsewhere']],
    });
    expect(parseCgiResponse(bytes('status: 301\nlocation: /moved\n\n')).status).toBe(301);
  });

  it('an empty body is fine', () => {
    expect(parseCgiResponse(bytes('content-type: text/plain\n\n')).body.length).toBe(0);
  });

  it.each([
    ['nothing at all', '', /printed nothing/],
    ['no empty line after the headers', 'content-type: text/plain\nhello', /no empty line/],
    ['neither content-type nor location', 'x-other: 1\n\nbody', /neither a content-type nor a location/],
    ['status alone', 'status: 200\n\nbody', /neither a content-type nor a location/],
    ['a line that is not a header', 'this is not a header\n\nbody', /is not a header line/],
    ['an empty header name', ': value\ncontent-type: text/plain\n\n', /is not a header line/],
    ['a status that is not a code', 'status: OK\ncontent-type: text/plain\n\n', /not an HTTP status code/],
    ['a status out of range', 'status: 999\ncontent-type: text/plain\n\n', /not an HTTP status code/],
  ])('rejects %s', (_, output, reason) => {
    expect(() => parseCgiResponse(bytes(output))).toThrow(MalformedCgiResponse);
    expect(() => parseCgiResponse(bytes(output))).toThrow(reason);
  });
});
