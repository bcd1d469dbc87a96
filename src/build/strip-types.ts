import * as nodeModule from 'node:module';
import { ComponentizeError } from './componentize-error.ts';

/**
 * A TypeScript guest as JavaScript, with Node's own type stripping (`module.
 * stripTypeScriptTypes`, amaro inside: what runs spindle's own .ts). Strip-only mode
 * replaces types with blanks, so every line and column stays where it was in the .ts
 * file and the engine's and Node's error positions point into it; syntax that is more
 * than types (enum, namespace, parameter properties) is refused, as with
 * `erasableSyntaxOnly`.
 */
export function stripTypes(source: string, code: string): string {
  // Looked up, not imported by name: on a Node without it only TypeScript guests fail.
  const strip = nodeModule.stripTypeScriptTypes as typeof nodeModule.stripTypeScriptTypes | undefined;
  if (strip === undefined) {
    throw new ComponentizeError(source, `building a TypeScript guest needs Node >= 22.13 (this is ${process.version})`);
  }
  try {
    return quietly(() => strip(code, { mode: 'strip' }));
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const hint =
      (cause as { code?: unknown }).code === 'ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX'
        ? ' (TypeScript guests may use erasable syntax only: no enum, namespace or parameter properties)'
        : '';
    throw new ComponentizeError(
      source,
      `cannot erase its TypeScript types: ${reason}${hint}${codeFrame(source, cause)}`,
      {
        cause,
      },
    );
  }
}

/**
 * Where the parser stopped: Node puts `:<line>` and the code around it at the top of the
 * error's stack, before the `SyntaxError [ERR_...]` line.
 */
function codeFrame(source: string, cause: unknown): string {
  const lines = (cause instanceof Error ? (cause.stack ?? '') : '').split('\n');
  const end = lines.findIndex((line) => line.includes('[ERR_'));
  const frame = lines.slice(0, Math.max(end, 0));
  const line = /^:(\d+)$/.exec(frame[0] ?? '')?.[1];
  if (line === undefined) return '';
  return `\n${source}:${line}\n${frame.slice(1).join('\n').trimEnd()}`;
}

/**
 * Runs `fn` without Node's one-time "stripTypeScriptTypes is an experimental feature"
 * warning: a user building a guest has nothing to do about it. `fn` is synchronous, so
 * no other code's warnings pass through the filter meanwhile.
 */
function quietly<T>(fn: () => T): T {
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (!text.includes('stripTypeScriptTypes'))
      (emitWarning as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return fn();
  } finally {
    process.emitWarning = emitWarning;
  }
}
