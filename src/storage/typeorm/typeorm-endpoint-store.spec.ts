import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../../test/support/postgres';
import { EndpointStoreError, type EndpointWrite } from '../endpoint-store.interface';
import { reencryptWebhookSecrets } from './reencrypt';
import { TypeOrmEndpointStore, type TypeOrmEndpointStoreOptions } from './typeorm-endpoint-store';

// Against a real PostgreSQL: run-time endpoints stored, their secret options encrypted, and a change
// made through one store (one instance) seen by another within seconds by NOTIFY alone.
const KEY = randomBytes(32).toString('base64');

const write = (name: string, extra: Partial<EndpointWrite> = {}): EndpointWrite => ({
  name,
  provider: 'stripe',
  options: { toleranceSeconds: 120 },
  secretOptions: {},
  enabled: true,
  ...extra,
});

describe('TypeOrmEndpointStore', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const stores: TypeOrmEndpointStore[] = [];

  async function store(options: Partial<TypeOrmEndpointStoreOptions> = {}) {
    const s = new TypeOrmEndpointStore(dataSource, { encryptionKey: KEY, cacheTtlMs: 600_000, ...options });
    await s.init();
    stores.push(s);
    return s;
  }

  beforeAll(async () => {
    db = await createTestDatabase('endpoints');
    dataSource = await openDataSource(db.url);
  }, 30_000);

  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await dataSource.destroy();
    await db.drop();
  });

  it('keeps secret options encrypted at rest (AES-256-GCM, the name bound), and returns them decrypted', async () => {
    const s = await store();
    const token = `tok_${randomBytes(12).toString('hex')}`;
    await s.create(write('enc', { secretOptions: { apiToken: token } }));
    const [row] = await dataSource.query(
      `SELECT options, key_id, secret_options FROM webhook_endpoints WHERE name = 'enc'`,
    );
    expect(row.options).toEqual({ toleranceSeconds: 120 });
    expect(Buffer.from(row.secret_options).includes(token)).toBe(false);
    // Decrypted here with the documented format (0x01 | iv | tag | ciphertext, HKDF subkey), not by the store.
    const blob = Buffer.from(row.secret_options);
    const subkey = Buffer.from(
      hkdfSync('sha256', Buffer.from(KEY, 'base64'), Buffer.alloc(0), 'hookwarden/secret-encryption/v1', 32),
    );
    const decipher = createDecipheriv('aes-256-gcm', subkey, blob.subarray(1, 13));
    decipher.setAAD(Buffer.from('hookwarden/endpoint-options/v1\0enc'));
    decipher.setAuthTag(blob.subarray(13, 29));
    const plain = Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString();
    expect(JSON.parse(plain)).toEqual({ apiToken: token });
    expect(s.get('enc')?.secretOptions).toEqual({ apiToken: token });

    // A row moved to another name does not decrypt: refused at start-up, naming it.
    await dataSource.query(
      `INSERT INTO webhook_endpoints SELECT 'moved', provider, options, challenge, key_id, secret_options, enabled, created_at, updated_at FROM webhook_endpoints WHERE name = 'enc'`,
    );
    await expect(store({ listen: false })).rejects.toThrow(/"moved"/);
    await dataSource.query(`DELETE FROM webhook_endpoints WHERE name = 'moved'`);
  });

  it('re-encrypts secret options under a new current key (reencryptWebhookSecrets)', async () => {
    const s = await store();
    await s.create(write('rekey', { secretOptions: { apiToken: 'tok-rekey' } }));
    const k2 = randomBytes(32).toString('base64');
    const ring = { current: 'k2', keys: { default: KEY, k2 } };
    expect(await reencryptWebhookSecrets(dataSource, { encryptionKey: ring })).toBeGreaterThanOrEqual(1);
    const [row] = await dataSource.query(`SELECT key_id FROM webhook_endpoints WHERE name = 'rekey'`);
    expect(row.key_id).toBe('k2');
    // Only the new key is needed from now on.
    const after = await store({ encryptionKey: { current: 'k2', keys: { k2 } }, listen: false });
    expect(after.get('rekey')?.secretOptions).toEqual({ apiToken: 'tok-rekey' });
    await dataSource.query(`DELETE FROM webhook_endpoints WHERE key_id = 'k2'`);
  });

  it('refuses an existing name, an unknown one, and more than the maximum', async () => {
    const s = await store({ maxEndpoints: 3 });
    await s.create(write('dup'));
    await expect(s.create(write('dup'))).rejects.toMatchObject({ code: 'endpoint_exists' });
    await expect(s.update(write('nobody'))).rejects.toMatchObject({ code: 'unknown_endpoint' });
    const count = Number((await dataSource.query(`SELECT count(*) AS n FROM webhook_endpoints`))[0].n);
    for (let i = count; i < 3; i++) await s.create(write(`fill${i}`));
    const refused = await s.create(write('over')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EndpointStoreError);
    expect((refused as EndpointStoreError).code).toBe('too_many_endpoints');
  });

  // Seconds on a loaded machine (NOTIFY, the listener, a reload), far below the 10-minute reload.
  it('brings a change made through another store within seconds, by NOTIFY (the reload is 10 minutes)', async () => {
    const [a, b] = [await store(), await store()];
    let started = Date.now();
    await a.create(write('shared'));
    while (!b.get('shared') && Date.now() - started < 6000) await new Promise((r) => setTimeout(r, 10));
    expect(b.get('shared')).toMatchObject({ name: 'shared', enabled: true });
    expect(Date.now() - started).toBeLessThan(5000);
    started = Date.now();
    await a.update(write('shared', { enabled: false }));
    while (b.get('shared')?.enabled !== false && Date.now() - started < 6000)
      await new Promise((r) => setTimeout(r, 10));
    expect(b.get('shared')?.enabled).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
