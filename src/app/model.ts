/**
 * The app model every manifest format (spindle.toml, Spin v1, Spin v2) and every
 * embedding program normalises into. Paths are absolute; templates are unexpanded.
 */

import type { Limits } from './limits.ts';

/** An application variable, declared in `[variables]`. */
export interface VariableDecl {
  description?: string;
  default?: string;
  required?: boolean;
  secret?: boolean;
}

/** `[component.<id>.build]`, run by `spindle build`. */
export interface BuildConfig {
  /** Shell commands run in turn (Spin's `command`, a string or a list); the first failure stops the build. */
  commands: string[];
  /** Absolute working directory for the command; defaults to the manifest's directory. */
  workdir: string;
  watch?: string[];
}

/** A host directory granted to the guest (`files = [{ source, destination }]`). */
export interface FileMount {
  /** Absolute host path. */
  source: string;
  /** Path the guest sees. */
  destination: string;
}

/** Whether a component gets a fresh instance per event (Spin's isolation) or a reused one. */
export type InstanceMode = 'fresh' | 'reuse';

export interface ComponentConfig {
  id: string;
  /** Absolute path of the .wasm file, or its bytes (embedding). */
  source: string | Uint8Array;
  /** `[component.<id>.variables]`: name -> template such as `"{{ suffix }}"`. */
  variables: Record<string, string>;
  /** Environment variables the guest sees; nothing of the host's leaks otherwise. */
  environment: Record<string, string>;
  /** Host directories the guest may read. */
  files: FileMount[];
  /**
   * Hosts the guest may reach over outbound HTTP (none by default): Spin's
   * `allowed_outbound_hosts` patterns, templates unexpanded, v1 `allowed_http_hosts`
   * already converted (src/app/allowed-hosts.ts).
   */
  allowedOutboundHosts: string[];
  /** Undefined: the runtime's measured default. */
  instances?: InstanceMode;
  /**
   * Worker threads running this component (any world but Wagi); 0 runs it on the main
   * thread (no deadline). Undefined: the runtime's default (src/runtime/limits.ts).
   */
  threads?: number;
  /** Per-event deadline in ms (`timeout_ms`); undefined: the runtime's default (30 s). */
  timeoutMs?: number;
  /** Most linear memory an instance may have, in MB (`memory_limit_mb`); undefined: 256. */
  memoryLimitMb?: number;
  /** Most stdout + stderr kept per event, in KiB (`max_output_kb`); undefined: 64. */
  maxOutputKb?: number;
  /** Bound on each wait of an outbound HTTP request, in ms (`outbound_timeout_ms`); undefined: 30 000. */
  outboundTimeoutMs?: number;
  build?: BuildConfig;
  description?: string;
}

/**
 * One `[[trigger.<type>]]` table. The core does not know trigger fields: the adapter for
 * `type` parses `raw` (with `defaults` from `[application.trigger.<type>]`).
 */
export interface TriggerConfig {
  type: string;
  /** Where it came from, for error messages: e.g. `trigger.kafka[1]`. */
  table: string;
  raw: Record<string, unknown>;
}

export interface AppConfig {
  name: string;
  version?: string;
  authors?: string[];
  description?: string;
  /** The manifest path ('<embedded>' for apps built in code), used in error messages. */
  file: string;
  /** Directory relative paths were resolved against. */
  dir: string;
  variables: Record<string, VariableDecl>;
  components: Record<string, ComponentConfig>;
  triggers: TriggerConfig[];
  /** `[application.trigger.<type>]`: app-level defaults for every trigger of that type. */
  triggerDefaults: Record<string, Record<string, unknown>>;
  /**
   * External trigger adapters: trigger type -> module specifier (a package name, or a
   * path relative to the manifest) whose default export is a TriggerAdapter.
   */
  triggerModules: Record<string, string>;
  /** `[application.limits]`: the limits set in the manifest (the rest keep their defaults). */
  limits?: Partial<Limits>;
}
