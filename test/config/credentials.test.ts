// Credential loading: environment variables or an owner-only file; every problem collected; no
// secret ever reaches an error, JSON, util.inspect or a log line.
import { chmodSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { inspect } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, Credentials, loadCredentials, tryLoadCredentials } from '../../src/config/index.js';
import { createLogger } from '../../src/log.js';

const KEY = 'AK-live-0000111122223333';
const SECRET = 'SK-very-secret-4444555566667777';
const PASS = 'pp-passphrase-8888';

const dir = mkdtempSync(join(tmpdir(), 'xmc-cred-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string, mode: number): string {
  const p = join(dir, name);
  writeFileSync(p, text, { mode });
  chmodSync(p, mode); // the umask may have narrowed it
  return p;
}

function noSecret(x: unknown): void {
  const s = typeof x === 'string' ? x : JSON.stringify(x);
  for (const v of [KEY, SECRET, PASS]) expect(s).not.toContain(v);
}

describe('credentials from environment variables', () => {
  const ref = { kind: 'env', apiKey: 'XMC_T_KEY', secret: 'XMC_T_SECRET', passphrase: 'XMC_T_PASS' } as const;

  it('loads, and never shows the values when printed, serialised or logged', () => {
    const c = loadCredentials('okx', ref, { env: { XMC_T_KEY: KEY, XMC_T_SECRET: SECRET, XMC_T_PASS: PASS } });
    expect([c.apiKey, c.secret, c.passphrase]).toEqual([KEY, SECRET, PASS]);
    noSecret(JSON.stringify(c));
    noSecret(inspect(c));
    noSecret(String(c));
    noSecret(`${c}`);
    noSecret(Object.keys(c));
    const chunks: string[] = [];
    const log = createLogger({ destination: new Writable({ write(ch, _e, cb) { chunks.push(String(ch)); cb(); } }) });
    log.info({ creds: c, nested: { c } }, 'loaded');
    log.info({ apiKey: c.apiKey, secret: c.secret }, 'fields by mistake');
    noSecret(chunks.join(''));
    expect(chunks.join('')).toContain('[redacted]');
  });

  it('reports every unset variable at once, by name, without values', () => {
    const r = tryLoadCredentials('okx', ref, { env: { XMC_T_SECRET: '' } });
    expect(r.credentials).toBeNull();
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ['CREDENTIALS', 'venues.okx.credentials.api_key.env'],
      ['CREDENTIALS', 'venues.okx.credentials.secret.env'],
      ['CREDENTIALS', 'venues.okx.credentials.passphrase.env'],
    ]);
    expect(r.issues[0]!.expected).toContain('XMC_T_KEY');
    expect(r.issues[1]!.found).toBe('it empty');
    expect(() => loadCredentials('okx', ref, { env: {} })).toThrow(ConfigError);
  });
});

describe('credentials from a file', () => {
  const content = `api_key: ${KEY}\nsecret: ${SECRET}\npassphrase: ${PASS}\n`;

  it('loads an owner-only file (0600 and 0400)', () => {
    for (const mode of [0o600, 0o400]) {
      const p = file(`ok-${mode.toString(8)}.yaml`, content, mode);
      const c = loadCredentials('okx', { kind: 'file', path: p });
      expect([c.apiKey, c.secret, c.passphrase]).toEqual([KEY, SECRET, PASS]);
    }
    const json = file('ok.json', JSON.stringify({ api_key: KEY, secret: SECRET }), 0o600);
    expect(loadCredentials('binance-spot', { kind: 'file', path: json }).passphrase).toBe('');
  });

  it('refuses a file readable by group or other, before reading it, with a clear message', () => {
    const p = file('open.yaml', content, 0o644);
    const r = tryLoadCredentials('okx', { kind: 'file', path: p });
    expect(r.credentials).toBeNull();
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ code: 'FILE_PERMISSIONS', path: 'venues.okx.credentials.file', found: 'mode 0644 (open to group and other)' });
    expect(r.issues[0]!.expected).toContain(`chmod 600 ${p}`);
    const g = file('group.yaml', content, 0o640);
    expect(tryLoadCredentials('okx', { kind: 'file', path: g }).issues[0]!.found).toBe('mode 0640 (open to group)');
    try {
      loadCredentials('okx', { kind: 'file', path: p });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).toContain('FILE_PERMISSIONS');
      noSecret((e as Error).message);
    }
  });

  it('refuses a file owned by another user', () => {
    const p = file('owned.yaml', content, 0o600);
    const r = tryLoadCredentials('okx', { kind: 'file', path: p }, { uid: 424242, fs: {
      openSync: () => 7, closeSync: () => undefined, readFileSync: () => Buffer.from(content),
      fstatSync: () => ({ mode: 0o100600, uid: 1234, size: content.length, isFile: () => true }),
    } });
    expect(r.issues[0]).toMatchObject({ code: 'FILE_PERMISSIONS', found: 'owner uid 1234' });
  });

  it('missing file, symlink, bad content and missing fields: named, never echoing content', () => {
    expect(tryLoadCredentials('okx', { kind: 'file', path: join(dir, 'nope.yaml') }).issues[0]).toMatchObject({ code: 'CREDENTIALS', found: 'no such file' });
    const target = file('target.yaml', content, 0o600);
    const link = join(dir, 'link.yaml');
    symlinkSync(target, link);
    expect(tryLoadCredentials('okx', { kind: 'file', path: link }).issues[0]!.found).toContain('symbolic link');
    const bad = file('bad.yaml', `api_key: ${KEY}\nsecret: [${SECRET}\n`, 0o600);
    const rb = tryLoadCredentials('okx', { kind: 'file', path: bad });
    expect(rb.issues[0]!.code).toBe('CREDENTIALS');
    noSecret(rb.issues);
    const partial = file('partial.yaml', `api_key: ${KEY}\nsecret: ${SECRET}\nextra_${SECRET}: 1\n`, 0o600);
    const rp = tryLoadCredentials('okx', { kind: 'file', path: partial });
    expect(rp.issues.map((i) => i.expected)).toEqual(expect.arrayContaining([expect.stringContaining('passphrase')]));
    expect(rp.credentials).toBeNull();
  });
});

describe('Credentials value object', () => {
  it('has no enumerable secret fields', () => {
    const c = new Credentials('binance-spot', KEY, SECRET);
    expect({ ...c }).toEqual({ venue: 'binance-spot' });
    expect(c.toJSON()).toEqual({ venue: 'binance-spot', apiKey: '[redacted]', secret: '[redacted]', passphrase: '[redacted]' });
  });
});
