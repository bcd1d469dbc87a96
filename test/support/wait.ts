/**
 * Wait for a condition instead of sleeping: poll `condition` until it holds, and fail
 * with what was awaited (and the last error the condition threw) once the deadline
 * passes.
 */
export interface WaitOptions {
  /** What is awaited, for the failure message: "all events at the sink". */
  what: string;
  /** Deadline from the first poll; 15 s unless told. */
  timeoutMs?: number;
  /** Pause between polls; 25 ms unless told. */
  intervalMs?: number;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  { what, timeoutMs = 15_000, intervalMs = 25 }: WaitOptions,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await condition()) return;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const because = lastError === undefined ? '' : ` (the condition last threw: ${String(lastError)})`;
      throw new WaitTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}${because}`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
