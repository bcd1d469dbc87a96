/**
 * ISO 8601 durations, as Knative's delivery spec writes them (`PT0.5S`, `PT2M`,
 * `P1DT2H`), read into milliseconds. Years and months are refused: their length depends
 * on the calendar, and a retry delay should not.
 */
import { parse } from 'tinyduration';

const MS: Record<'weeks' | 'days' | 'hours' | 'minutes' | 'seconds', number> = {
  weeks: 7 * 24 * 3_600_000,
  days: 24 * 3_600_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1_000,
};

/** Milliseconds of an ISO 8601 duration, or why it is not one (a sentence for an error). */
export function isoDurationMs(text: string): { ms: number } | { error: string } {
  let duration: ReturnType<typeof parse>;
  try {
    duration = parse(text);
  } catch {
    return { error: `${JSON.stringify(text)} is not an ISO 8601 duration (such as "PT0.5S", "PT2M" or "P1DT2H")` };
  }
  if (duration.negative === true) return { error: `${JSON.stringify(text)} is negative` };
  if (duration.years !== undefined || duration.months !== undefined) {
    return { error: `${JSON.stringify(text)} counts years or months, whose length varies: use weeks, days or less` };
  }
  let ms = 0;
  for (const [unit, factor] of Object.entries(MS)) ms += (duration[unit as keyof typeof MS] ?? 0) * factor;
  return { ms: Math.round(ms) };
}
