/**
 * The fault suite's table: one row per case, counted by unique event id at the sink, at
 * the dead-letter sink and in the broker (or, on HTTP, refused to the sender, who still
 * holds the event):
 *
 *   case | sent | delivered | duplicated | dead-lettered | kept | lost
 *
 * `lost` = sent − |delivered ∪ dead-lettered ∪ kept|: an event that is nowhere. Each file
 * prints its rows when it ends; the global setup prints every file's rows at the end of
 * the run (they travel through the file `inject('spindleFaultRows')` names).
 */

declare module 'vitest' {
  export interface ProvidedContext {
    /** A JSON-lines file every fault case appends its row to, printed by the global setup's teardown. */
    spindleFaultRows: string;
  }
}

export interface FaultRow {
  case: string;
  sent: number;
  delivered: number;
  duplicated: number;
  deadLettered: number;
  kept: number;
  lost: number;
  /** Anything worth a figure beside the counts (RSS, duplicates' cause). */
  note?: string;
}

/** What a case observed: ids as they arrived (repeats included), and how many it sent. */
export interface Tally {
  /** Every event sent; a message spindle names itself (a wrapped poison record) counts too. */
  sent: number;
  /** Ids the test chose, which must each be accounted for by id. */
  ids: readonly string[];
  delivered: readonly string[];
  deadLettered: readonly string[];
  kept?: readonly string[];
  note?: string;
}

export function countRow(name: string, tally: Tally): FaultRow {
  const delivered = new Set(tally.delivered);
  const dead = new Set(tally.deadLettered);
  const kept = new Set(tally.kept ?? []);
  const accounted = new Set([...delivered, ...dead, ...kept]);
  const missing = tally.ids.filter((id) => !accounted.has(id));
  return {
    case: name,
    sent: tally.sent,
    delivered: delivered.size,
    duplicated: tally.delivered.length - delivered.size,
    deadLettered: dead.size,
    kept: kept.size,
    // An event the test named and cannot find is lost even when spindle's own names fill the count.
    lost: Math.max(tally.sent - accounted.size, missing.length),
    ...(tally.note === undefined ? {} : { note: tally.note }),
  };
}

const COLUMNS: [keyof FaultRow, string][] = [
  ['case', 'case'],
  ['sent', 'sent'],
  ['delivered', 'delivered'],
  ['duplicated', 'duplicated'],
  ['deadLettered', 'dead-lettered'],
  ['kept', 'kept'],
  ['lost', 'lost'],
  ['note', 'note'],
];

/** The rows as a Markdown table, columns padded. */
export function formatTable(rows: readonly FaultRow[]): string {
  const cells = [
    COLUMNS.map(([, title]) => title),
    ...rows.map((row) => COLUMNS.map(([key]) => String(row[key] ?? ''))),
  ];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? '').length)));
  const line = (values: string[]) => `| ${values.map((value, i) => value.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const [head = [], ...body] = cells;
  return [line(head), line(widths.map((width) => '-'.repeat(width))), ...body.map(line)].join('\n');
}
