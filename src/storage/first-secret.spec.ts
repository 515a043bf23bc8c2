// addFirstSecret: the handshake's "store this secret unless the endpoint has one", decided in one
// atomic step by the store itself, on the in-memory store and on PostgreSQL (two instances on one
// database, as two app instances race a handshake).
import { randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../test/support/postgres';
import { InMemorySecretStore } from './in-memory/in-memory-secret-store';
import type { SecretStore } from './secret-store.interface';
import { TypeOrmSecretStore } from './typeorm/typeorm-secret-store';

const KEY = randomBytes(32).toString('base64');

/** 20 concurrent first secrets over the stores (round robin): one wins, and every store serves it. */
async function raceFirstSecret(stores: SecretStore[], endpoint: string, refresh: () => Promise<void>): Promise<void> {
  const secrets = Array.from({ length: 20 }, () => randomBytes(32).toString('hex'));
  const results = await Promise.all(secrets.map((s, i) => stores[i % stores.length].addFirstSecret!(endpoint, s)));
  const won = results.flatMap((r, i) => (r ? [i] : []));
  expect(won).toHaveLength(1);
  expect(results[won[0]]).toMatchObject({ endpoint, version: 1, hint: secrets[won[0]].slice(-4) });
  await refresh();
  for (const store of stores) {
    expect((await store.getLiveSecrets(endpoint)).map((s) => s.value)).toEqual([secrets[won[0]]]);
    expect(await store.listSecrets(endpoint)).toHaveLength(1);
  }
  // Once the secret is revoked, the endpoint has none: the next handshake may store its own.
  await stores[0].revokeSecret(endpoint, 1);
  const next = randomBytes(32).toString('hex');
  expect(await stores[stores.length - 1].addFirstSecret!(endpoint, next)).toMatchObject({ version: 2 });
  expect(await stores[0].addFirstSecret!(endpoint, randomBytes(32).toString('hex'))).toBeUndefined();
  await refresh();
  for (const store of stores) expect((await store.getLiveSecrets(endpoint)).map((s) => s.value)).toEqual([next]);
}

describe('addFirstSecret', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  it('in memory: exactly one of 20 concurrent calls stores its secret', async () => {
    const store = new InMemorySecretStore();
    await raceFirstSecret([store], 'asana', async () => undefined);
    await expect(store.addFirstSecret('empty', '')).rejects.toMatchObject({ code: 'invalid_secret' });
  });

  describe('on PostgreSQL', () => {
    let db: TestDatabase;
    let dataSource: DataSource;
    const stores: TypeOrmSecretStore[] = [];

    beforeAll(async () => {
      db = await createTestDatabase('first_secret');
      dataSource = await openDataSource(db.url);
      for (let i = 0; i < 2; i++) {
        const store = new TypeOrmSecretStore(dataSource, { encryptionKey: KEY, listen: false });
        await store.init();
        stores.push(store);
      }
    });

    afterAll(async () => {
      for (const store of stores) await store.close();
      await dataSource?.destroy();
      await db?.drop();
    });

    it('exactly one of 20 concurrent calls on two instances stores its secret', async () => {
      await raceFirstSecret(stores, 'asana', async () => {
        for (const store of stores) await store.refresh();
      });
      await expect(stores[0].addFirstSecret('empty', '')).rejects.toMatchObject({ code: 'invalid_secret' });
    });
  });
});
