import { DEFAULT_LIMITS } from './app/limits.ts';

/**
 * How deeply a JSON text nests its arrays and objects, measured on the text before it is
 * parsed: a deep enough document makes JSON.stringify (and a guest's own parser) overflow
 * the stack, which must be a refusal naming the limit, not "Maximum call stack size
 * exceeded" from wherever it blows.
 */

/** The first depth past `max` the text reaches, or undefined when it stays within. */
export function jsonDepthExceeding(text: string, max: number): number | undefined {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      // A backslash escapes the next character: skip it.
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return depth;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return undefined;
}

/**
 * JSON.parse, refusing (with an Error naming the limit) a text nested deeper than
 * `maxDepth`. Broker codecs use the default `max_json_depth`; the HTTP codec the app's.
 */
export function parseJsonWithin(text: string, maxDepth: number = DEFAULT_LIMITS.maxJsonDepth): unknown {
  if (jsonDepthExceeding(text, maxDepth) !== undefined) {
    throw new Error(`JSON nested deeper than ${maxDepth} levels (max_json_depth = ${maxDepth})`);
  }
  return JSON.parse(text);
}
