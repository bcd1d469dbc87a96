/**
 * Readiness apart from liveness: the health route says the process is up (it answers
 * from the moment it listens); readiness says whether every trigger table is connected
 * and taking events. Adapters report each table's state through `TriggerContext.status`;
 * the core keeps it here and serves it on READY_ROUTE and `RunningApp.readiness()`.
 */
import type { Redactor } from './redact.ts';

/** Kubernetes' readinessProbe path: 200 while every trigger is ready, 503 with the reasons otherwise. */
export const READY_ROUTE = '/.well-known/spindle/ready';

/** What adapters report to, for each of their trigger tables (`trigger.kafka[0]`, say). */
export interface TriggerStatus {
  /** The table is connected and taking events; `state` says how (`consuming`, `listening`...). */
  ready(table: string, state?: string): void;
  /**
   * The table is not taking events: `state` says what it waits for (`connecting`,
   * `joining group`, `reconnecting`...), `error` why, when a failure is the reason.
   */
  notReady(table: string, state: string, error?: unknown): void;
}

/** One trigger table's state as shown on the readiness route. */
export interface TriggerReadiness {
  table: string;
  ready: boolean;
  state: string;
  /** The last failure (redacted), while not ready because of one. */
  error?: string;
  /** When it entered this state (ISO 8601). */
  since: string;
}

export interface AppReadiness {
  /** Every trigger table is ready (true for an app without triggers). */
  ready: boolean;
  triggers: TriggerReadiness[];
}

interface Entry extends TriggerReadiness {
  /** The adapter reported on it: its reports rule, not `started`. */
  reported: boolean;
}

/**
 * The trigger tables' states. A table starts `connecting`; one its adapter never reports
 * on is ready once the adapter's `start` resolved (the contract of adapters that predate
 * readiness: started means taking events). At stop every table becomes `stopping`.
 */
export class Readiness implements TriggerStatus {
  readonly #entries = new Map<string, Entry>();
  readonly #redactor: Redactor;
  #stopping = false;

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  /** A table about to start. */
  expect(table: string): void {
    this.#set(table, { ready: false, state: 'connecting', reported: false });
  }

  /** Its adapter's start resolved: the tables it did not report on are ready. */
  started(tables: readonly string[]): void {
    for (const table of tables) {
      const entry = this.#entries.get(table);
      if (entry === undefined || !entry.reported) this.#set(table, { ready: true, state: 'started', reported: false });
    }
  }

  ready(table: string, state = 'ready'): void {
    this.#set(table, { ready: true, state, reported: true });
  }

  notReady(table: string, state: string, error?: unknown): void {
    const shown = error === undefined ? undefined : this.#redactor.text(reason(error));
    this.#set(table, { ready: false, state, reported: true, ...(shown === undefined ? {} : { error: shown }) });
  }

  /** The app is stopping: not ready any more, whatever adapters report meanwhile. */
  stopping(): void {
    for (const table of this.#entries.keys()) this.#set(table, { ready: false, state: 'stopping', reported: true });
    this.#stopping = true;
  }

  snapshot(): AppReadiness {
    const triggers = [...this.#entries.values()].map(({ reported: _, ...shown }) => shown);
    return { ready: triggers.every((t) => t.ready), triggers };
  }

  #set(table: string, next: Omit<Entry, 'table' | 'since'>): void {
    if (this.#stopping) return;
    const previous = this.#entries.get(table);
    const unchanged =
      previous !== undefined &&
      previous.ready === next.ready &&
      previous.state === next.state &&
      previous.error === next.error;
    if (unchanged) {
      previous.reported ||= next.reported;
      return;
    }
    this.#entries.set(table, { table, ...next, since: new Date().toISOString() });
  }
}

function reason(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
