import { SpindleError } from '../errors.ts';

/** A component that cannot be loaded: names the component, its file, and why. */
export class ComponentLoadError extends SpindleError {
  override name = 'ComponentLoadError';
  readonly componentId: string;
  readonly file: string;

  constructor(componentId: string, file: string, reason: string, options: { cause?: unknown } = {}) {
    super(`component ${componentId} (${file}): ${reason}`, options);
    this.componentId = componentId;
    this.file = file;
  }
}
