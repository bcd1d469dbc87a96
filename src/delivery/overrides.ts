import { SpindleError } from '../errors.ts';
import { isAttributeName } from '../event.ts';

/**
 * Knative's SinkBinding contract: `K_CE_OVERRIDES` is JSON such as
 * `{"extensions":{"extra":"test"}}`, whose extensions are set on every emitted event.
 */
export function parseCeOverrides(json: string | undefined): Record<string, string> | undefined {
  if (json === undefined || json.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    throw new SpindleError(`K_CE_OVERRIDES is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  const extensions = (value as { extensions?: unknown } | null)?.extensions;
  if (typeof extensions !== 'object' || extensions === null || Array.isArray(extensions)) {
    throw new SpindleError('K_CE_OVERRIDES must be an object like {"extensions":{"name":"value"}}');
  }
  const out: Record<string, string> = {};
  for (const [name, v] of Object.entries(extensions)) {
    if (!isAttributeName(name))
      throw new SpindleError(`K_CE_OVERRIDES: extension '${name}' must be lower-case letters and digits`);
    out[name] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return out;
}
