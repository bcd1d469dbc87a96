/**
 * `loadApp`: find the manifest, parse the TOML, detect the format (spindle.toml / Spin v2,
 * or Spin v1) and normalise it into an AppConfig.
 */

import { readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { ManifestError } from '../errors.ts';
import { parseManifestV1 } from './manifest-v1.ts';
import { type ParseOptions, parseManifestV2 } from './manifest-v2.ts';
import type { AppConfig } from './model.ts';
import { collectProblems } from './problems.ts';
import { kind } from './table.ts';

/** Looked for, in this order, when loadApp is given a directory. */
export const MANIFEST_NAMES = ['spindle.toml', 'spin.toml'] as const;

export interface LoadOptions {
  /**
   * Whether every component's `source` must exist (default true). `spindle build` loads
   * the manifest before the .wasm files exist and passes false.
   */
  checkSources?: boolean;
}

/** Load a manifest file, or the spindle.toml (else spin.toml) in a directory. */
export async function loadApp(path: string, options: LoadOptions = {}): Promise<AppConfig> {
  const file = await findManifest(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new ManifestError(file, '', undefined, `cannot read the manifest: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseManifest(text, { file, dir: dirname(resolve(file)), checkSources: options.checkSources ?? true });
}

/**
 * Parse manifest text; `file` is only used in messages, `dir` to resolve paths. Every
 * problem of the manifest is thrown at once (ManifestErrors when there are several); TOML
 * that does not parse, or a format that cannot be told, is one problem that stops it.
 */
export function parseManifest(text: string, opts: ParseOptions): AppConfig {
  const doc = parseToml(text, opts.file);
  const parse = detectFormat(doc, opts.file) === 1 ? parseManifestV1 : parseManifestV2;
  return collectProblems((problems) => parse(doc, opts, problems));
}

async function findManifest(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new ManifestError(path, '', undefined, 'no such file or directory');
  if (!info.isDirectory()) return path;
  for (const name of MANIFEST_NAMES) {
    const file = join(path, name);
    if ((await stat(file).catch(() => undefined))?.isFile()) return file;
  }
  throw new ManifestError(path, '', undefined, `no ${MANIFEST_NAMES.join(' or ')} in this directory`);
}

function parseToml(text: string, file: string): Record<string, unknown> {
  try {
    return parse(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    // smol-toml: "Invalid TOML document: <reason>\n\n<excerpt>"; the excerpt stays in the cause.
    const reason = (error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '');
    throw new ManifestError(
      file,
      '',
      undefined,
      `invalid TOML at line ${error.line}, column ${error.column}: ${reason}`,
      {
        cause: error,
      },
    );
  }
}

/** `spin_manifest_version = "1"` (or `spin_version = "1"`) is Spin v1; 2, or none, the v2 shape. */
function detectFormat(doc: Record<string, unknown>, file: string): 1 | 2 {
  const legacy = doc.spin_version;
  if (legacy !== undefined) {
    if (legacy === '1' || legacy === 1) return 1;
    throw new ManifestError(file, '', 'spin_version', `expected "1" (a Spin v1 manifest), got ${kind(legacy)}`);
  }
  const version = doc.spin_manifest_version;
  if (version === '1' || version === 1) return 1;
  if (version === 2 || version === '2') return 2;
  if (version !== undefined) {
    throw new ManifestError(
      file,
      '',
      'spin_manifest_version',
      `expected 2 (or "1" for a Spin v1 manifest), got ${kind(version)}`,
    );
  }
  if (Array.isArray(doc.component)) {
    throw new ManifestError(
      file,
      '',
      'spin_manifest_version',
      'is missing: [[component]] is the Spin v1 form, so add spin_manifest_version = "1" (or write [component.<id>] tables)',
    );
  }
  return 2;
}
