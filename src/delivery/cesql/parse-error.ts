/** A CESQL expression that does not parse (a ParseError, §3.3): where and why. */
export class CesqlParseError extends Error {
  override name = 'CesqlParseError';
  readonly expression: string;
  /** 1-based column of the offending character. */
  readonly column: number;
  readonly reason: string;

  constructor(expression: string, offset: number, reason: string) {
    super(`at column ${offset + 1} of ${JSON.stringify(expression)}: ${reason}`);
    this.expression = expression;
    this.column = offset + 1;
    this.reason = reason;
  }
}
