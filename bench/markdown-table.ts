/** A bench's result as a Markdown table, so that it goes into bench/README.md as printed. */
export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** `a` as a percentage of `b`, rounded. */
export const percent = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;

/** Events per second with a thousands separator. */
export const perSecond = (n: number) => Math.round(n).toLocaleString('en-US');
