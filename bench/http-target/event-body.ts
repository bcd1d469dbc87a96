/**
 * The bench event's JSON data: the example's fields, padded with a string to about
 * `bytes` bytes when a size is asked for (load.ts and wrk send the same body).
 */
export function eventBody(bytes = 0): string {
  const fields = { name: 'spindle', count: 1 };
  const plain = JSON.stringify(fields);
  const padding = bytes - plain.length - ',"pad":""'.length;
  return padding > 0 ? JSON.stringify({ ...fields, pad: 'x'.repeat(padding) }) : plain;
}
