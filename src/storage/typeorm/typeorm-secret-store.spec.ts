import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../../test/support/postgres';
import { WebhookConfigurationError } from '../../core/errors';
import { MAX_LIVE_OLD_VERSIONS, SecretStoreError } from '../secret-store.interface';
import { reencryptWebhookSecrets } from './reencrypt';
import { SecretCipher, secretAad } from './secret-cipher';
import { TypeOrmSecretStore, type TypeOrmSecretStoreOptions } from './typeorm-secret-store';

// Against a real PostgreSQL: one database for the file, one endpoint name per test.
const KEY = randomBytes(32).toString('base64');
const OTHER_KEY = randomBytes(32).toString('hex');
const secret = (n: number) => `whsec_${Buffer.alloc(32, n).toString('base64')}`;

async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<number> {
  const started = Date.now();
  for (;;) {
    try {
      await check();
      return Date.now() - started;
    } catch (error) {
      if (Date.now() - started > timeoutMs) throw error;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

describe('TypeOrmSecretStore', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const stores: TypeOrmSecretStore[] = [];
  let endpointSeq = 0;
  let endpoint: string;

  async function store(options: Partial<TypeOrmSecretStoreOptions> = {}, ds = dataSource) {
    const s = new TypeOrmSecretStore(ds, { encryptionKey: KEY, ...options });
    await s.init();
    stores.push(s);
    return s;
  }

  const versions = (s: TypeOrmSecretStore, e = endpoint) => s.getLiveSecrets(e).map((v) => v.version);

  beforeAll(async () => {
    db = await createTestDatabase('secrets');
    dataSource = await openDataSource(db.url);
  });

  beforeEach(() => {
    endpoint = `ep${++endpointSeq}`;
  });

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('keeps the previous secret live for the grace period, then not (injected clock)', async () => {
    let now = Date.now();
    const s = await store({ now: () => now });
    await s.seedSecrets(endpoint, [secret(1)]);
    const info = await s.addSecret(endpoint, secret(2), { gracePeriodSeconds: 60 });
    expect(info).toMatchObject({ endpoint, version: 2 });
    expect(s.getLiveSecrets(endpoint)).toEqual([
      { version: 2, value: secret(2) },
      { version: 1, value: secret(1) },
    ]);
    now += 59_000;
    expect(versions(s)).toEqual([2, 1]);
    now += 1_000;
    expect(versions(s)).toEqual([2]);
    const listed = await s.listSecrets(endpoint);
    expect(listed.map((v) => [v.version, v.expiresAt?.getTime()])).toEqual([
      [2, undefined],
      [1, info.createdAt.getTime() + 60_000],
    ]);
    // A fresh instance (a restart) agrees.
    expect(versions(await store({ now: () => now }))).toEqual([2]);
  });

  it('revokes a version at once and refuses unknown versions', async () => {
    const s = await store();
    await s.seedSecrets(endpoint, [secret(1), secret(2)]);
    expect(versions(s)).toEqual([2, 1]);
    await s.revokeSecret(endpoint, 2);
    expect(versions(s)).toEqual([1]);
    expect((await s.listSecrets(endpoint))[0].revokedAt).toBeInstanceOf(Date);
    await expect(s.revokeSecret(endpoint, 9)).rejects.toMatchObject({ code: 'unknown_version' });
  });

  it(`refuses an 11th live older version (at most ${MAX_LIVE_OLD_VERSIONS}), like the in-memory store`, async () => {
    const s = await store();
    await s.seedSecrets(endpoint, [secret(0)]);
    for (let i = 1; i <= MAX_LIVE_OLD_VERSIONS; i++) await s.addSecret(endpoint, secret(i));
    expect(versions(s)).toHaveLength(MAX_LIVE_OLD_VERSIONS + 1);
    const refused = s.addSecret(endpoint, secret(99));
    await expect(refused).rejects.toBeInstanceOf(SecretStoreError);
    await expect(refused).rejects.toMatchObject({ code: 'too_many_versions' });
    await s.revokeSecret(endpoint, 1);
    await expect(s.addSecret(endpoint, secret(99))).resolves.toMatchObject({ version: 12 });
  });

  it('validates the grace period and the secret', async () => {
    const s = await store();
    await expect(s.addSecret(endpoint, secret(1), { gracePeriodSeconds: 604_801 })).rejects.toMatchObject({
      code: 'invalid_grace_period',
    });
    await expect(s.addSecret(endpoint, '')).rejects.toMatchObject({ code: 'invalid_secret' });
  });

  it('stores ciphertext that differs from the secret and decrypts only with the right key and row', async () => {
    const s = await store();
    const value = secret(7);
    await s.addSecret(endpoint, value);
    const [row] = await dataSource.query(
      `SELECT key_id, ciphertext, fingerprint, hint FROM webhook_secrets WHERE endpoint = $1`,
      [endpoint],
    );
    expect(row.key_id).toBe('default');
    expect(row.ciphertext.includes(Buffer.from(value))).toBe(false);
    expect(row.ciphertext.includes(Buffer.from(value.slice(6), 'base64'))).toBe(false);
    expect(row.hint).toBe(value.slice(-4));
    const right = new SecretCipher(KEY);
    expect(right.decrypt('default', row.ciphertext, secretAad(endpoint, 1)).subarray(1).toString()).toBe(value);
    expect(() => new SecretCipher(OTHER_KEY).decrypt('default', row.ciphertext, secretAad(endpoint, 1))).toThrow(
      /does not decrypt/,
    );
    // Bound to its endpoint and version: a copied row does not decrypt.
    expect(() => right.decrypt('default', row.ciphertext, secretAad(endpoint, 2))).toThrow();
    expect(() => right.decrypt('default', row.ciphertext, secretAad('other', 1))).toThrow();
  });

  it('fails at start-up with a clear message when the master key is wrong', async () => {
    const s = await store();
    await s.addSecret(endpoint, secret(3));
    const wrong = new TypeOrmSecretStore(dataSource, { encryptionKey: OTHER_KEY });
    const failure = wrong.init();
    await expect(failure).rejects.toBeInstanceOf(WebhookConfigurationError);
    await expect(failure).rejects.toThrow(/encryption key "default" is not the key the stored webhook secrets/);
  });

  it('re-encrypts under a new current key, after which the old key can go', async () => {
    // A database of its own: the key id "default" of the other tests must not be in the way.
    const own = await createTestDatabase('rekey');
    const ds = await openDataSource(own.url);
    try {
      const k1 = randomBytes(32).toString('base64');
      const k2 = randomBytes(32).toString('base64');
      const old = await store({ encryptionKey: { current: 'k1', keys: { k1 } } }, ds);
      await old.seedSecrets('billing', [secret(1), secret(2)]);
      await old.close();
      await expect(store({ encryptionKey: { current: 'k2', keys: { k2 } } }, ds)).rejects.toThrow(
        /encrypted under key id\(s\) "k1"/,
      );
      const ring = { current: 'k2', keys: { k1, k2 } };
      expect(await reencryptWebhookSecrets(ds, { encryptionKey: ring })).toBe(2);
      expect(await reencryptWebhookSecrets(ds, { encryptionKey: ring })).toBe(0);
      const rows = await ds.query(`SELECT DISTINCT key_id FROM webhook_secrets`);
      expect(rows).toEqual([{ key_id: 'k2' }]);
      const fresh = await store({ encryptionKey: { current: 'k2', keys: { k2 } } }, ds);
      expect(fresh.getLiveSecrets('billing').map((v) => v.value)).toEqual([secret(2), secret(1)]);
      // Fingerprints follow the key: seeding the same secrets again adds nothing.
      await fresh.seedSecrets('billing', [secret(1), secret(2)]);
      expect(await fresh.listSecrets('billing')).toHaveLength(2);
    } finally {
      await Promise.all(stores.splice(0).map((s) => s.close()));
      await ds.destroy();
      await own.drop();
    }
  });

  it('seeds configured secrets once, across restarts and concurrent instances, keeping their type', async () => {
    const raw = randomBytes(32);
    const [a, b] = await Promise.all([store(), store()]);
    await Promise.all([a.seedSecrets(endpoint, [secret(1), raw]), b.seedSecrets(endpoint, [secret(1), raw])]);
    const restarted = await store();
    await restarted.seedSecrets(endpoint, [secret(1), raw, secret(1)]);
    expect((await restarted.listSecrets(endpoint)).map((v) => v.version)).toEqual([2, 1]);
    const values = restarted.getLiveSecrets(endpoint).map((v) => v.value);
    expect(Buffer.isBuffer(values[0]) && values[0].equals(raw)).toBe(true);
    expect(values[1]).toBe(secret(1));
  });

  // Seconds on a loaded machine (NOTIFY, the listener, a reload), far below b's one-minute reload.
  it('tells another instance about a rotation within seconds (LISTEN/NOTIFY)', async () => {
    const a = await store();
    const b = await store({ cacheTtlMs: 60_000 });
    await a.seedSecrets(endpoint, [secret(1)]);
    await eventually(() => expect(versions(b)).toEqual([1]));
    await a.addSecret(endpoint, secret(2));
    const rotated = await eventually(() => expect(versions(b)).toEqual([2, 1]), 5000);
    await a.revokeSecret(endpoint, 1);
    const revoked = await eventually(() => expect(versions(b)).toEqual([2]), 5000);
    expect(Math.max(rotated, revoked)).toBeLessThan(5000);
  });

  it('reconnects the listener after its connection is killed, and falls back to the TTL', async () => {
    const a = await store();
    const b = await store({ cacheTtlMs: 60_000 });
    const ttlOnly = await store({ listen: false, cacheTtlMs: 150 });
    await eventually(() => expect(b.listening).toBe(true));
    await dataSource.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'hookwarden-listener'`,
    );
    // Bounds of seconds, for a loaded machine: b's reload is a minute, ttlOnly has no listener.
    await eventually(() => expect(b.listening).toBe(false), 5000);
    await eventually(() => expect(b.listening).toBe(true), 5000);
    await a.seedSecrets(endpoint, [secret(5)]);
    await eventually(() => expect(versions(b)).toEqual([1]), 5000);
    await eventually(() => expect(versions(ttlOnly)).toEqual([1]), 5000);
  });

  it('records when a version was last used, batched and at most once a minute', async () => {
    let now = Date.now();
    const s = await store({ now: () => now });
    await s.seedSecrets(endpoint, [secret(1)]);
    for (let i = 0; i < 100; i++) s.markUsed(endpoint, 1);
    const first = now;
    now += 30_000;
    s.markUsed(endpoint, 1); // within the minute: not written again
    await s.close();
    const [row] = await s.listSecrets(endpoint);
    expect(row.lastUsedAt?.getTime()).toBe(first);
  });
});
