import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { withErrorTables } from './error-table';
import { WEBHOOK_ERRORS, WebhookErrorCode } from './errors';

const root = resolve(__dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.spec.ts') ? [path] : [];
  });
}

/** Code literals where src/ answers or throws one: exceptions, error bodies, the admin guard's refusals. */
function codeLiterals(): Map<string, string> {
  const patterns = [
    /new \w*(?:Exception|VerificationError|SecretStoreError)\(\s*'([a-z][a-z_]*)'/g,
    /\bcode: '([a-z][a-z_]*)'/g,
    /\brefuse\([^,]+,\s*'([a-z][a-z_]*)'/g,
  ];
  const found = new Map<string, string>();
  for (const file of sources(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) found.set(match[1], file.slice(root.length + 1));
    }
  }
  return found;
}

describe('the error catalogue (WEBHOOK_ERRORS)', () => {
  it('holds every code literal in src/', () => {
    const found = codeLiterals();
    // Guards the scan itself: one literal of each kind it looks for.
    expect([...found.keys()]).toEqual(
      expect.arrayContaining(['unknown_event', 'storage_unavailable', 'missing_admin_token', 'invalid_secret']),
    );
    const missing = [...found].filter(([code]) => !Object.hasOwn(WEBHOOK_ERRORS, code));
    expect(missing).toEqual([]);
  });

  it('holds every WebhookErrorCode', () => {
    for (const code of Object.values(WebhookErrorCode)) expect(Object.keys(WEBHOOK_ERRORS)).toContain(code);
  });

  it('gives the statuses the README promised before it was generated', () => {
    // Written out by hand (README of 2026-12-01), not read from the catalogue.
    const promised: Record<string, number> = {
      missing_header: 400,
      invalid_header: 400,
      raw_body_missing: 400,
      invalid_body: 400,
      invalid_challenge: 400,
      timestamp_too_old: 401,
      no_matching_signature: 401,
      no_secret_configured: 401,
      bad_credentials: 401,
      challenge_verification_failed: 401,
      ip_not_allowed: 403,
      client_certificate_rejected: 403,
      handshake_refused: 409,
      payload_too_large: 413,
      unsupported_media_type: 415,
      delivery_in_progress: 503,
      storage_unavailable: 503,
      validation_failed: 400,
      invalid_admin_token: 401,
      unknown_event: 404,
      too_many_versions: 409,
    };
    for (const [code, status] of Object.entries(promised)) {
      expect([code, WEBHOOK_ERRORS[code as keyof typeof WEBHOOK_ERRORS]?.status]).toEqual([code, status]);
    }
  });

  it('every status is an HTTP error status and every meaning one line of text', () => {
    for (const [code, entry] of Object.entries(WEBHOOK_ERRORS)) {
      expect(code).toMatch(/^[a-z]+(?:_[a-z]+)*$/);
      expect(entry.status >= 400 && entry.status <= 599).toBe(true);
      expect(entry.meaning).toMatch(/^[^\n|]+$/);
    }
  });

  it("is the README's error tables (UPDATE_README=1 rewrites them)", () => {
    const path = join(root, 'README.md');
    const readme = readFileSync(path, 'utf8');
    const generated = withErrorTables(readme);
    if (process.env.UPDATE_README === '1') writeFileSync(path, generated);
    else expect(readme).toBe(generated);
  });
});
