/**
 * Header values of the CloudEvents HTTP binding, 3.1.3.2 "HTTP Header Values":
 * "any HTTP header value MUST have quoted string escaping as described in RFC7230,
 * section 3.2.6 applied in reverse, and then a single round of percent-decoding MUST be
 * performed"; "encoded byte sequences which are invalid in UTF-8 MUST be rejected"; and
 * "HTTP headers MUST only use printable characters from the US-ASCII character set".
 */
import { InvalidEventError } from '../../src/adapter.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The attribute value a `ce-` header carries, or an InvalidEventError saying why none. */
export function decodeHeaderValue(header: string, raw: string): string {
  printableAscii(
    header,
    raw,
    'the CloudEvents HTTP binding (3.1.3.2) wants such characters percent-encoded as UTF-8 (e.g. %C3%A9 for é)',
  );
  const value = unquote(raw.trim());
  if (!value.includes('%')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const escaped = value[i] === '%' ? value.slice(i + 1, i + 3) : '';
    if (/^[0-9A-Fa-f]{2}$/.test(escaped)) {
      bytes.push(Number.parseInt(escaped, 16));
      i += 2;
    } else {
      bytes.push(value.charCodeAt(i)); // a lone '%' is taken as sent
    }
  }
  try {
    return utf8.decode(new Uint8Array(bytes));
  } catch {
    throw new InvalidEventError(
      `header ${header} percent-decodes to bytes that are not valid UTF-8 (CloudEvents HTTP binding 3.1.3.2)`,
    );
  }
}

/**
 * Refuses, with an InvalidEventError ending in `advice`, a header value holding a byte
 * outside printable US-ASCII. node:http hands header bytes over as Latin-1: a char above
 * U+007E is a byte the client should not have sent raw, not text to re-read in some charset.
 */
export function printableAscii(header: string, raw: string, advice: string): void {
  for (let i = 0; i < raw.length; i++) {
    const code = raw.charCodeAt(i);
    if (code > 0x7e || (code < 0x20 && code !== 0x09)) {
      throw new InvalidEventError(
        `header ${header} holds the byte 0x${hex(code)}, outside printable US-ASCII: ${advice}`,
      );
    }
  }
}

/** RFC 7230 3.2.6 quoted-string, reversed: `"a \"b\""` -> `a "b"`. */
function unquote(value: string): string {
  if (value.length < 2 || !value.startsWith('"') || !value.endsWith('"')) return value;
  return value.slice(1, -1).replace(/\\(.)/g, '$1');
}

function hex(code: number): string {
  return code.toString(16).toUpperCase().padStart(2, '0');
}
