import { ManifestError } from '../errors.ts';
import { closest } from '../suggest.ts';
import { isoDurationMs } from './duration.ts';
import type { ManifestProblems } from './problems.ts';

/**
 * A typed reader over one manifest table. Every accessor names the file, the table and
 * the field in its error; `done()` rejects keys nobody read, so that a typo is an error
 * instead of a silently ignored setting.
 *
 * Given a ManifestProblems (as loading a manifest does), a reader records what is wrong
 * and reads on: an optional field with a bad value reads as absent, and `done()` still
 * names the unknown keys, so that one run reports every problem. Without one, the first
 * problem throws. Tables read through `optionalTable` share their parent's collector.
 */
export class TriggerTable {
  readonly file: string;
  readonly table: string;
  readonly raw: Readonly<Record<string, unknown>>;
  /** Where problems are recorded; undefined: thrown. */
  readonly #problems: ManifestProblems | undefined;
  readonly #seen = new Set<string>();
  #reported = false;

  constructor(file: string, table: string, raw: Readonly<Record<string, unknown>>, problems?: ManifestProblems) {
    this.file = file;
    this.table = table;
    this.raw = raw;
    this.#problems = problems;
  }

  /** Another table of the same manifest, its problems collected with this one's. */
  sibling(table: string, raw: Readonly<Record<string, unknown>>): TriggerTable {
    return new TriggerTable(this.file, table, raw, this.#problems);
  }

  has(field: string): boolean {
    return this.raw[field] !== undefined;
  }

  /**
   * An error about `field`. When a required field is missing and the table holds an
   * unread key that looks like a typo of it, the error names that key: a misspelt
   * required field reads as what it is, not as a field left out.
   */
  error(field: string | undefined, reason: string, options: { cause?: unknown } = {}): ManifestError {
    const typo = field !== undefined && reason.startsWith('is required') ? this.#typoOf(field) : undefined;
    if (typo !== undefined) this.#seen.add(typo); // named here: not an unknown field as well
    const hint = typo === undefined ? '' : ` (found '${typo}': did you mean ${field}?)`;
    return new ManifestError(this.file, this.table, field, `${reason}${hint}`, options);
  }

  /**
   * A problem with `field` that need not stop the reading: recorded when the table
   * collects its problems, thrown otherwise.
   */
  report(field: string | undefined, reason: string, options: { cause?: unknown } = {}): undefined {
    const error = this.error(field, reason, options);
    if (this.#problems === undefined) throw error;
    this.#reported = true;
    this.#problems.report(error);
    return undefined; // for `return table.report(...)`: the field reads as absent
  }

  /**
   * Read one part that may have to stop (a required field missing, a value nothing else
   * makes sense without): when the table collects its problems, a stop is recorded and
   * the part reads as undefined; otherwise it throws.
   */
  attempt<T>(read: () => T): T | undefined {
    if (this.#problems === undefined) return read();
    const before = this.#problems.size;
    const value = this.#problems.attempt(read);
    if (this.#problems.size > before) this.#reported = true;
    return value;
  }

  /**
   * Whether a problem was reported about this table's fields: rules that relate fields
   * are checked only over fields that read well, or they would report a consequence.
   */
  get hasProblems(): boolean {
    return this.#reported;
  }

  /** A required string: missing or not a string stops the reading (see `attempt`). */
  string(field: string): string {
    const value = this.#read(field);
    if (typeof value === 'string') return value;
    throw this.error(field, value === undefined ? 'is required (a string)' : `expected a string, got ${kind(value)}`);
  }

  optionalString(field: string): string | undefined {
    const value = this.#read(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return this.report(field, `expected a string, got ${kind(value)}`);
    return value;
  }

  optionalNumber(field: string, range: { min?: number; integer?: boolean } = {}): number | undefined {
    const value = this.#read(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || Number.isNaN(value)) {
      return this.report(field, `expected a number, got ${kind(value)}`);
    }
    if (range.integer && !Number.isInteger(value)) return this.report(field, `expected a whole number, got ${value}`);
    if (range.min !== undefined && value < range.min) {
      return this.report(field, `must be at least ${range.min}, got ${value}`);
    }
    return value;
  }

  /**
   * A duration: milliseconds as a number (`500`), or an ISO 8601 duration string
   * (`"PT0.5S"`, `"PT2M"`, `"P1DT2H"`) as Knative's delivery spec writes it.
   */
  optionalDuration(field: string): number | undefined {
    const value = this.#read(field);
    if (value === undefined) return undefined;
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < 0) {
        return this.report(field, `expected whole milliseconds (0 or more) or an ISO 8601 duration, got ${value}`);
      }
      return value;
    }
    if (typeof value !== 'string') {
      return this.report(field, `expected milliseconds or an ISO 8601 duration such as "PT0.5S", got ${kind(value)}`);
    }
    const read = isoDurationMs(value);
    if ('error' in read) return this.report(field, read.error);
    return read.ms;
  }

  optionalBoolean(field: string): boolean | undefined {
    const value = this.#read(field);
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') return this.report(field, `expected true or false, got ${kind(value)}`);
    return value;
  }

  /** A string or a list of strings, as in `topic = "a"` / `topics = ["a", "b"]`. */
  optionalStrings(field: string): string[] | undefined {
    const value = this.#read(field);
    if (value === undefined) return undefined;
    if (typeof value === 'string') return [value];
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    return this.report(field, `expected a string or a list of strings, got ${kind(value)}`);
  }

  /** A list of strings (unlike optionalStrings, a lone string is an error). */
  optionalStringList(field: string): string[] | undefined {
    const value = this.#read(field);
    if (value === undefined) return undefined;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    return this.report(field, `expected a list of strings, got ${kind(value)}`);
  }

  optionalTable(field: string): TriggerTable | undefined {
    const value = this.#read(field);
    if (value === undefined) return undefined;
    if (!isTable(value)) return this.report(field, `expected a table, got ${kind(value)}`);
    return this.sibling(this.table === '' ? field : `${this.table}.${field}`, value);
  }

  /** A table whose values are all strings, such as headers or filter attributes. */
  optionalStringMap(field: string): Record<string, string> | undefined {
    const table = this.optionalTable(field);
    if (table === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const key of table.keys()) {
      const value = table.optionalString(key);
      if (value !== undefined) out[key] = value;
    }
    return out;
  }

  /** Mark a field as read without interpreting it (an adapter passes it through). */
  take(field: string): unknown {
    return this.#read(field);
  }

  /** The fields present, in the order the manifest lists them. */
  keys(): string[] {
    return Object.keys(this.raw).filter((k) => this.raw[k] !== undefined);
  }

  /**
   * Reject every field that no accessor asked for. With `expected`, the error lists the
   * fields the table may hold.
   */
  done(expected?: readonly string[]): void {
    const unknown = Object.keys(this.raw).filter((k) => !this.#seen.has(k));
    if (unknown.length > 0) {
      // The fields asked for are the valid ones, also for adapters that list none.
      const valid = expected ?? [...this.#seen];
      const list = unknown
        .map((k) => {
          const near = closest(k, valid);
          return near === undefined ? `'${k}'` : `'${k}' (did you mean ${near}?)`;
        })
        .join(', ');
      const hint = expected === undefined ? '' : ` (expected ${expected.join(', ')})`;
      this.report(unknown[0], `unknown field${unknown.length > 1 ? 's' : ''} ${list}${hint}`);
    }
  }

  #read(field: string): unknown {
    this.#seen.add(field);
    return this.raw[field];
  }

  /** An unread key of this table that is a near miss of `field`. */
  #typoOf(field: string): string | undefined {
    if (this.raw[field] !== undefined) return undefined;
    return Object.keys(this.raw).find((k) => !this.#seen.has(k) && closest(k, [field]) === field);
  }
}

export function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

export function kind(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'a table';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
