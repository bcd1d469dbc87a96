/** Flag values shared by several commands, each parsed into what the library API takes. */
import { readFileSync } from 'node:fs';
import type { ParseArgsOptionsConfig } from 'node:util';
import { SpindleError } from '../errors.ts';
import type { ListenOptions } from '../host/server.ts';

/** HOST:PORT, or HOST alone with the port from PORT (Knative's runtime contract), else 3000. */
export function parseListen(
  listen: string,
  portFromEnv: string | undefined,
  flag = '--listen',
): { host: string; port: number } {
  const hostPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/;
  const match = hostPort.exec(listen) ?? hostPort.exec(`${listen}:${portFromEnv ?? 3000}`);
  const port = Number(match?.[2]);
  if (!match?.[1] || !Number.isInteger(port) || port > 65535) {
    throw new SpindleError(`${flag} must be HOST:PORT or HOST (e.g. 127.0.0.1:3000), got '${listen}'`);
  }
  return { host: match[1].replace(/^\[|\]$/g, ''), port };
}

/** The flags of the commands that run an app (parseArgs options): the manifest, the listener, variables. */
export const APP_FLAGS = {
  file: { type: 'string', short: 'f', default: '.' },
  listen: { type: 'string', default: process.env.SPIN_HTTP_LISTEN_ADDR ?? '127.0.0.1' },
  variable: { type: 'string', multiple: true, default: [] as string[] },
} satisfies ParseArgsOptionsConfig;

/** `--variable NAME=VALUE` pairs. */
export function parseVariables(pairs: string[]): Record<string, string> {
  return parsePairs('--variable', pairs);
}

/** Repeated `--flag NAME=VALUE` pairs, as name -> value. */
export function parsePairs(flag: string, pairs: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new SpindleError(`${flag} must be NAME=VALUE, got '${pair}'`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

export function tlsOptions(cert: string | undefined, key: string | undefined): Pick<ListenOptions, 'tls'> {
  if (cert === undefined && key === undefined) return {};
  if (cert === undefined || key === undefined) {
    throw new SpindleError(
      `TLS needs both a certificate and a key: got only ${cert ? '--tls-cert (SPIN_TLS_CERT)' : '--tls-key (SPIN_TLS_KEY)'}`,
    );
  }
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (cause) {
      throw new SpindleError(`cannot read TLS ${what} ${path}: ${(cause as Error).message}`, { cause });
    }
  };
  return { tls: { cert: read(cert, 'certificate'), key: read(key, 'key') } };
}
