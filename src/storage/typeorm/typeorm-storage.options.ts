// Option types of the TypeORM storage. Types only: the root of the package imports them, so this
// file must never load typeorm or pg.

/** A 32-byte master key: a Buffer, 64 hex digits, or base64 (standard or URL-safe). @publicApi */
export type EncryptionKeyInput = string | Buffer;

/**
 * Several master keys by id, to rotate the key: secrets are written under `current` and read with
 * the key whose id is stored beside each ciphertext. After adding a new key and making it current,
 * run `reencryptWebhookSecrets()` (or `npx hookwarden reencrypt`), then drop the old key.
 * @publicApi
 */
export interface EncryptionKeyring {
  readonly current: string;
  readonly keys: Readonly<Record<string, EncryptionKeyInput>>;
}

/** A bare key is the keyring `{ current: 'default', keys: { default: key } }`. @publicApi */
export type EncryptionKeyOption = EncryptionKeyInput | EncryptionKeyring;

/** Tuning of the durable event log. @publicApi */
export interface EventLogSettings {
  /**
   * The most rows written by one statement (group commit).
   * @default 100
   */
  batchSize?: number;
  /**
   * How long the first row of a batch waits for others before the batch is written, in ms.
   * @default 2
   */
  maxDelayMs?: number;
  /**
   * How long a request waits for its row to commit; past it the request is answered 503 with
   * Retry-After and nothing is acknowledged. Also the server-side statement timeout of the writes,
   * and the deadline of every other statement of the log (acknowledging before a 2xx, releasing,
   * resolving a copy, reads, retention), after which a connection that still hangs is broken.
   * @default 2000
   */
  writeTimeoutMs?: number;
  /**
   * Bytes of each body stored (its size and SHA-256 are always stored).
   * @default 65536
   */
  bodyCapBytes?: number;
  /**
   * Rejected requests stored row by row per endpoint and second; beyond it they are counted and
   * written as one summary row per endpoint and reason every second.
   * @default 50
   */
  rejectedPerSecond?: number;
  /**
   * Challenges (URL verifications, CRC checks, handshakes) stored row by row per endpoint and
   * second; beyond it they are still answered, counted, and written as one summary row per
   * endpoint every second. Unsigned challenges are unauthenticated: anyone can send them.
   * @default 10
   */
  challengesPerSecond?: number;
  /**
   * Duplicates (copies of a delivery already accepted: a provider's retry, or a replay of a
   * captured request, which anyone holding one can send at will) stored row by row per endpoint
   * and second, beyond it counted in one summary row per endpoint every second. A duplicate row
   * never keeps the body, only its size and SHA-256.
   * @default 10
   */
  duplicatesPerSecond?: number;
  /**
   * What the rows anyone could send — rejections, unsigned challenges, duplicates — may weigh in one
   * second over all endpoints (each its request's path, headers and body sample, and 256 bytes for
   * its other columns), each budget per endpoint above notwithstanding; beyond, they are counted in
   * summary rows, but for one row a minute per endpoint and status (one sender cannot blind the
   * others). The default is about 1.4 GB a day per instance.
   * @default 16384
   */
  floodBytesPerSecond?: number;
  /**
   * Rows older than this many days are deleted (in small batches, on a timer). 0 keeps them forever.
   * @default 30
   */
  retentionDays?: number;
  /**
   * How often old rows are pruned, in ms.
   * @default 60000
   */
  pruneIntervalMs?: number;
  /**
   * Connections of the event log's own pool (the most batches in flight at once). The pool uses
   * the data source's connection settings.
   * @default 4
   */
  poolSize?: number;
  /**
   * The most rows waiting for a batch; beyond it record() answers "unavailable" at once.
   * @default 10000
   */
  maxQueuedRows?: number;
  /**
   * The Retry-After (seconds) of the 503 answered while the log is unavailable.
   * @default 5
   */
  retryAfterSeconds?: number;
  /**
   * How long an accepted delivery stays "in progress" (a copy of it answered 503
   * `delivery_in_progress`) without being acknowledged, in seconds: past it, the process that held
   * it is taken for dead and the next copy is handled, and its `@OnWebhook` jobs run though no
   * acknowledgement came (one that failed after the 2xx). Longer than your slowest handler.
   * @default 60
   */
  handlingLeaseSeconds?: number;
}

/** The audit trail of admin actions. @publicApi */
export interface AuditLogSettings {
  /**
   * Entries older than this many days are deleted (in small batches, on a timer). 0 keeps them forever.
   * @default 365
   */
  retentionDays?: number;
}

/** The in-memory cache of secrets in front of the database. @publicApi */
export interface SecretCacheSettings {
  /**
   * Every instance reloads all secrets this often, in ms: the fallback should a change
   * notification (PostgreSQL LISTEN/NOTIFY) be missed.
   * @default 30000
   */
  ttlMs?: number;
}
