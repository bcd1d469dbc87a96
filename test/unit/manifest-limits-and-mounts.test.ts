/**
 * `[application.limits]` in spindle.toml, and `files` mounts confined through symlinks.
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defineApp } from '../../src/app/define.ts';
import { DEFAULT_LIMITS, parseLimitFlags, withDefaults } from '../../src/app/limits.ts';
import { loadApp } from '../../src/app/load.ts';
import { manifestDir } from '../support/manifest-dir.ts';

const APP = '[application]\nname = "x"\n';
const COMPONENT = '[component.c]\nsource = "c.wasm"\n';

async function load(manifest: string) {
  const dir = await manifestDir({ 'spindle.toml': manifest, 'c.wasm': '' });
  return loadApp(join(dir, 'spindle.toml'));
}

describe('[application.limits]', () => {
  it('sets the limits it names; the others keep their defaults', async () => {
    const app = await load(`${APP}[application.limits]\nmax_body_bytes = 1024\nheader_timeout_ms = 500\n${COMPONENT}`);
    expect(app.limits).toEqual({ maxBodyBytes: 1024, headerTimeoutMs: 500 });
    expect(withDefaults(app.limits, { maxHeaders: 5 })).toEqual({
      ...DEFAULT_LIMITS,
      maxBodyBytes: 1024,
      headerTimeoutMs: 500,
      maxHeaders: 5,
    });
  });

  it('names the field of a bad or unknown limit', async () => {
    await expect(load(`${APP}[application.limits]\nmax_body_bytes = 0\n${COMPONENT}`)).rejects.toThrow(
      '[application.limits] max_body_bytes: must be at least 1, got 0',
    );
    await expect(load(`${APP}[application.limits]\nmax_bodies = 3\n${COMPONENT}`)).rejects.toThrow(
      "[application.limits] max_bodies: unknown field 'max_bodies'",
    );
  });
});

describe('spindle up --limit NAME=VALUE', () => {
  it('reads manifest keys, and names a wrong flag', () => {
    expect(parseLimitFlags(['max_body_bytes=1024', 'max_headers=20'])).toEqual({ maxBodyBytes: 1024, maxHeaders: 20 });
    expect(() => parseLimitFlags(['max_bodies=3'])).toThrow("--limit max_bodies=3: unknown limit 'max_bodies'");
    expect(() => parseLimitFlags(['max_headers=0'])).toThrow(
      '--limit max_headers=0: expected max_headers=<a whole number above 0>',
    );
  });
});

describe('files mounts through symlinks', () => {
  async function appWithLink(files: string, link: { at: string; to: string }) {
    const dir = await manifestDir({
      'spindle.toml': `${APP}${COMPONENT}files = ${files}\n`,
      'c.wasm': '',
      'static/a.txt': 'a',
    });
    await mkdir(join(dir, 'static', 'sub'), { recursive: true });
    await symlink(link.to, join(dir, link.at));
    return dir;
  }

  it('refuses a path in the app directory that is a symlink to /etc, naming the field', async () => {
    const dir = await appWithLink('["etc"]', { at: 'etc', to: '/etc' });
    await expect(loadApp(join(dir, 'spindle.toml'))).rejects.toThrow(
      `[component.c] files[0]: ${join(dir, 'etc')} resolves through a symlink to /etc, outside the app's directory ${dir}`,
    );
  });

  it('refuses a mounted directory that holds a symlink leading out of it', async () => {
    const dir = await appWithLink('["static"]', { at: 'static/sub/passwd', to: '/etc/passwd' });
    await expect(loadApp(join(dir, 'spindle.toml'))).rejects.toThrow(
      `[component.c] files[0]: ${join(dir, 'static/sub/passwd')} is a symlink to /etc/passwd, outside the mounted ${join(dir, 'static')}`,
    );
    const explicit = await appWithLink('[{ source = "static", destination = "/s" }]', {
      at: 'static/sub/passwd',
      to: '/etc/passwd',
    });
    await expect(loadApp(join(explicit, 'spindle.toml'))).rejects.toThrow('[component.c.files[0]] source:');
  });

  it('accepts a symlink that stays inside the mount, and mounts the real path', async () => {
    const dir = await appWithLink('["static", "alias"]', { at: 'alias', to: join('static') });
    await writeFile(join(dir, 'static', 'sub', 'b.txt'), 'b');
    const app = await loadApp(join(dir, 'spindle.toml'));
    expect(app.components.c?.files).toEqual([
      { source: join(dir, 'static'), destination: '/static' },
      { source: join(dir, 'static'), destination: '/alias' },
    ]);
  });

  it('applies the same rule to apps defined in code', async () => {
    const dir = await appWithLink('[]', { at: 'etc', to: '/etc' });
    expect(() =>
      defineApp({ name: 'x', dir, components: { c: { source: 'c.wasm', files: ['etc'] } }, triggers: [] }),
    ).toThrow(`files[0]: ${join(dir, 'etc')} resolves through a symlink to /etc`);
  });
});
