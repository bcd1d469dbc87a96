/**
 * The problems of one manifest, collected so that one reading reports them all: table
 * readers record a bad field and read on; a part that cannot go on (a component without
 * its source) is given up, and the rest of the manifest is still read.
 */
import { ManifestError, ManifestErrors, problemsOf } from '../errors.ts';

export class ManifestProblems {
  readonly #found: ManifestError[] = [];

  get size(): number {
    return this.#found.length;
  }

  /** What was found, in the order it was. */
  get all(): readonly ManifestError[] {
    return this.#found;
  }

  /**
   * Record a problem (each problem of a ManifestErrors). One problem a field: another
   * about a field already reported is its consequence (a bad value, read as absent, then
   * "is required"), and is left out.
   */
  report(error: ManifestError): void {
    for (const problem of problemsOf(error)) {
      const known = this.#found.some(
        (p) => p.file === problem.file && p.table === problem.table && p.field === problem.field,
      );
      if (!known) this.#found.push(problem);
    }
  }

  /**
   * Read one part of the manifest; if a ManifestError stops it, record that and return
   * undefined, so that the parts after it are read too. Other errors are bugs: thrown.
   */
  attempt<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ManifestError)) throw error;
      this.report(error);
      return undefined;
    }
  }

  /** Throw what was found: the one problem as its ManifestError, several as ManifestErrors. */
  throwIfAny(): void {
    const [first, second, ...rest] = this.#found;
    if (first === undefined) return;
    throw second === undefined ? first : new ManifestErrors([first, second, ...rest]);
  }
}

/**
 * Read a manifest (or an embedded definition) with a new collector: what `read` returns,
 * or every problem found on the way thrown at once.
 */
export function collectProblems<T>(read: (problems: ManifestProblems) => T): T {
  const problems = new ManifestProblems();
  const value = problems.attempt(() => read(problems));
  problems.throwIfAny();
  return value as T; // read returned: attempt recorded nothing in place of a value
}
