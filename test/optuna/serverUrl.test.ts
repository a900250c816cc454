import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { redactSecrets } from '../../src/logging/redactSecrets';
import { findPgPass, parseServiceFile } from '../../src/watchers/libpqFiles';
import { resolveStorage } from '../../src/watchers/OptunaStorage';
import { parseServerStorage } from '../../src/watchers/optunaServerUrl';
import { pgSettings } from '../../src/watchers/serverSession';

describe('Optuna storage URLs on a database server', () => {
  it.each([
    ['postgresql://barista@db:5433/optuna', { dialect: 'postgresql', host: 'db', port: 5433, user: 'barista', password: null, database: 'optuna', display: 'postgresql://barista@db:5433/optuna' }],
    ['postgresql+psycopg2://u:p%40ss@10.0.0.5/studies', { dialect: 'postgresql', host: '10.0.0.5', port: null, user: 'u', password: 'p@ss', database: 'studies', display: 'postgresql+psycopg2://u:[REDACTED]@10.0.0.5/studies' }],
    // An interpolated ${OPTUNA_DB_PASSWORD} is not percent-encoded: the password runs to the last '@'.
    ['mysql+pymysql://ro:a:b@c/d@[::1]:3307/optuna?charset=utf8mb4', { dialect: 'mysql', host: '::1', port: 3307, user: 'ro', password: 'a:b@c/d', database: 'optuna', params: { charset: 'utf8mb4' }, display: 'mysql+pymysql://ro:[REDACTED]@[::1]:3307/optuna?charset=utf8mb4' }],
    ['mysql://root@localhost/optuna', { dialect: 'mysql', host: 'localhost', user: 'root', database: 'optuna' }],
    ['postgresql:///optuna?service=studies', { dialect: 'postgresql', host: null, user: null, database: 'optuna', params: { service: 'studies' } }],
  ])('%s', (url, expected) => {
    expect(parseServerStorage(url)).toMatchObject(expected);
    expect(resolveStorage(url, '/w').kind).toBe('server');
  });

  it('leaves SQLite, journals and other URLs to the other readers', () => {
    expect(resolveStorage('sqlite:///x.db', '/w').kind).toBe('sqlite');
    expect(resolveStorage('journal.log', '/w').kind).toBe('journal');
    expect(resolveStorage('redis://u:secret@h/0', '/w')).toEqual({ kind: 'unsupported', url: 'redis://…@h/0' });
    expect(parseServerStorage('oracle://u@h/db')).toBeNull();
  });

  it('redacts the password of any URL in any text barista logs or sends', () => {
    const text = 'failed: postgresql+psycopg2://barista_ro:s3:cr@t/x@db:5432/optuna and mysql://a:b@h/d; http://host:80/path stays';
    expect(redactSecrets(text)).toBe('failed: postgresql+psycopg2://barista_ro:[REDACTED]@db:5432/optuna and mysql://a:[REDACTED]@h/d; http://host:80/path stays');
  });
});

describe('libpq credential files', () => {
  const want = { host: 'db', port: 5432, database: 'optuna', user: 'barista_ro' };

  it('finds the first matching pgpass line, with wildcards and escapes', () => {
    const text = ['# comment', 'other:5432:optuna:barista_ro:no', 'db:*:optuna:barista_ro:pa\\:ss\\\\word', '*:*:*:*:fallback'].join('\n');
    expect(findPgPass(text, want)).toBe('pa:ss\\word');
    expect(findPgPass(text, { ...want, host: 'elsewhere' })).toBe('fallback');
    expect(findPgPass('db:5432:optuna:someone:x', want)).toBeNull();
  });

  it('fills what a URL leaves out from a service file, then the password from pgpass', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'barista-libpq-'));
    try {
      writeFileSync(path.join(dir, 'services'), '# services\n[studies]\nhost=db\nport=5440\ndbname=optuna\nuser=barista_ro\n');
      writeFileSync(path.join(dir, 'pgpass'), 'db:5440:optuna:barista_ro:from-pgpass\n');
      const env = { PGSERVICEFILE: path.join(dir, 'services'), PGPASSFILE: path.join(dir, 'pgpass') };
      expect(parseServiceFile('[a]\nx = 1\n[b]\ny=2')).toEqual({ a: { x: '1' }, b: { y: '2' } });
      expect(pgSettings(parseServerStorage('postgresql://?service=studies')!, env)).toEqual({ host: 'db', port: 5440, database: 'optuna', user: 'barista_ro', password: 'from-pgpass' });
      expect(pgSettings(parseServerStorage('postgresql://me:given@other/optuna?service=studies')!, env)).toEqual({ host: 'other', port: 5440, database: 'optuna', user: 'me', password: 'given' });
      expect(() => pgSettings(parseServerStorage('postgresql://h/db?service=nope')!, env)).toThrow(/service "nope" is not defined/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
