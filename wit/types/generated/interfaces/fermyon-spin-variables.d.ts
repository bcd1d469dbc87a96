declare module 'fermyon:spin/variables@2.0.0' {
  /**
   * Get an application variable value for the current component.
   * 
   * The name must match one defined in the component manifest.
   */
  export function get(name: string): string;
  /**
   * The set of errors which may be raised by functions in this interface.
   */
  export type Error = ErrorInvalidName | ErrorUndefined | ErrorProvider | ErrorOther;
  /**
   * The provided variable name is invalid.
   */
  export interface ErrorInvalidName {
    tag: 'invalid-name',
    val: string,
  }
  /**
   * The provided variable is undefined.
   */
  export interface ErrorUndefined {
    tag: 'undefined',
    val: string,
  }
  /**
   * A variables provider specific error has occurred.
   */
  export interface ErrorProvider {
    tag: 'provider',
    val: string,
  }
  /**
   * Some implementation-specific error has occurred.
   */
  export interface ErrorOther {
    tag: 'other',
    val: string,
  }
}
