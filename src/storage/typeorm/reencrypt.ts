import type { DataSource } from 'typeorm';
import { TypeOrmEndpointStore } from './typeorm-endpoint-store';
import { TypeOrmSecretStore } from './typeorm-secret-store';
import type { EncryptionKeyOption } from './typeorm-storage.options';

/** @publicApi */
export interface ReencryptOptions {
  /** The keyring: `current` is the new key, and every key still used by a stored secret is in `keys`. */
  encryptionKey: EncryptionKeyOption;
  /** The schema of the tables; the data source's schema by default. */
  schema?: string;
}

/**
 * Re-encrypts every stored webhook secret under the keyring's current key (and recomputes its
 * fingerprint), in small transactions, and the secret options of run-time endpoints; running
 * instances pick the change up by themselves. Returns how many versions (and endpoints) were re-encrypted. Afterwards the old key can leave the keyring.
 * @publicApi
 * @example await reencryptWebhookSecrets(dataSource, { encryptionKey: { current: 'k2', keys: { k1, k2 } } })
 */
export async function reencryptWebhookSecrets(dataSource: DataSource, options: ReencryptOptions): Promise<number> {
  const store = new TypeOrmSecretStore(dataSource, { ...options, listen: false, cacheTtlMs: 3_600_000 });
  await store.init();
  let count: number;
  try {
    count = await store.reencrypt();
  } finally {
    await store.close();
  }
  // The options of run-time endpoints that hold secrets are under the same keyring.
  const endpoints = new TypeOrmEndpointStore(dataSource, { ...options, listen: false, cacheTtlMs: 3_600_000 });
  await endpoints.init();
  try {
    return count + (await endpoints.reencrypt());
  } finally {
    await endpoints.close();
  }
}
