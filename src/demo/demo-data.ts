// The demo's own state on disk: where it lives, and the credentials it generates when the
// environment gives none. Production sets WEBHOOK_ADMIN_TOKEN and WEBHOOK_ENCRYPTION_KEY itself.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** The repository root (src/demo/../..), so `.data/` is found whatever the working directory. */
export const REPO_ROOT = resolve(__dirname, '..', '..');

/** `HOOKWARDEN_DEMO_DATA_DIR`, else `<repo>/.data` (git-ignored). */
export function demoDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.HOOKWARDEN_DEMO_DATA_DIR;
  const dir = configured ? (isAbsolute(configured) ? configured : resolve(configured)) : join(REPO_ROOT, '.data');
  // 0755: the embedded PostgreSQL runs as another user (`postgres` when we are root) and must
  // reach its directory inside; the credentials file itself is 0600.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  if (process.getuid?.() === 0) {
    // As root the server runs as `postgres`, which must at least pass through (o+x, not read).
    chmodSync(dir, statSync(dir).mode | 0o011);
  }
  return dir;
}

/** A credential and where it came from, to tell the user what to set in production. */
export interface DemoCredential {
  readonly value: string;
  /** `env`: from the environment; `generated`: made now; `kept`: made by an earlier start. */
  readonly source: 'env' | 'generated' | 'kept';
}

export interface DemoCredentials {
  readonly adminToken: DemoCredential;
  readonly encryptionKey: DemoCredential;
  /**
   * The password of the embedded PostgreSQL's superuser: generated once, kept only in the file
   * (never printed, never from the environment). None with DATABASE_URL, which replaces the server.
   */
  readonly databasePassword?: string;
  /** The file holding the generated ones. */
  readonly file: string;
}

interface StoredCredentials {
  WEBHOOK_ADMIN_TOKEN?: string;
  WEBHOOK_ENCRYPTION_KEY?: string;
  EMBEDDED_POSTGRES_PASSWORD?: string;
}

/**
 * WEBHOOK_ADMIN_TOKEN and WEBHOOK_ENCRYPTION_KEY from the environment, else the ones an earlier
 * start generated (kept in `<dataDir>/demo-credentials.json`), else new ones, written there. The
 * key must stay the same across restarts: it decrypts the secrets already in the database.
 */
export function loadDemoCredentials(dataDir: string, env: NodeJS.ProcessEnv = process.env): DemoCredentials {
  const file = join(dataDir, 'demo-credentials.json');
  const stored: StoredCredentials = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as StoredCredentials)
    : {};
  let changed = false;
  const pick = (name: keyof StoredCredentials, generate: () => string): DemoCredential => {
    const fromEnv = env[name];
    if (fromEnv) return { value: fromEnv, source: 'env' };
    const kept = stored[name];
    if (kept) return { value: kept, source: 'kept' };
    stored[name] = generate();
    changed = true;
    return { value: stored[name]!, source: 'generated' };
  };
  const adminToken = pick('WEBHOOK_ADMIN_TOKEN', () => randomBytes(24).toString('base64url'));
  const encryptionKey = pick('WEBHOOK_ENCRYPTION_KEY', () => randomBytes(32).toString('base64'));
  if (!env.DATABASE_URL && !stored.EMBEDDED_POSTGRES_PASSWORD) {
    stored.EMBEDDED_POSTGRES_PASSWORD = randomBytes(24).toString('base64url');
    changed = true;
  }
  if (changed) {
    writeFileSync(file, JSON.stringify(stored, null, 2) + '\n', { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return { adminToken, encryptionKey, databasePassword: stored.EMBEDDED_POSTGRES_PASSWORD, file };
}
