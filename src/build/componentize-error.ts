import { SpindleError } from '../errors.ts';

/** A guest that could not be built: names the file and why. */
export class ComponentizeError extends SpindleError {
  override name = 'ComponentizeError';
  readonly file: string;

  constructor(file: string, reason: string, options: { cause?: unknown } = {}) {
    super(`componentize ${file}: ${reason}`, options);
    this.file = file;
  }
}
