// The seals of the PostgreSQL event log, from the attacker's side, on a real database: someone who
// can write the events table (UPDATE through an ordinary connection) rewrites a body together with
// its digest, copies a row to another endpoint, cuts or releases one; none of it passes the seal.
// Expected seals are computed here with node:crypto (HKDF-SHA256 subkey, HMAC-SHA256), written out.
import { createHash, randomBytes } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { independentSeal, independentSealKey } from '../../../test/support/independent-seal';
import { createTestDatabase, openDataSource, type TestDatabase } from '../../../test/support/postgres';
import type { WebhookEventRecord } from '../event-log.interface';
import { TypeOrmEventLog } from './typeorm-event-log';
import { TypeOrmInbox } from './typeorm-inbox';
import type { EncryptionKeyOption } from './typeorm-storage.options';

const K1 = randomBytes(32);
const K2 = randomBytes(32);

let seq = 0;
const record = (overrides: Partial<WebhookEventRecord> = {}): WebhookEventRecord => ({
  endpoint: 'billing',
  provider: 'stripe',
  messageId: `evt_${++seq}_${randomBytes(4).toString('hex')}`,
  status: 'accepted',
  eventType: 'invoice.paid',
  receivedAt: new Date(),
  replayWindowEndsAt: new Date(),
  method: 'POST',
  path: '/hooks/billing',
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(`{"type":"invoice.paid","amount":${seq}}`),
  work: [{ handler: 'H.run', eventType: 'invoice.paid' }],
  ...overrides,
});

/** The seal as specified, computed apart from the code under test. */
function expectedSeal(master: Buffer, row: { endpoint: string; messageId: string; eventType: string; body: Buffer }) {
  return independentSeal(independentSealKey(master), { ...row, status: 'accepted' });
}

describe('TypeOrmEventLog seals', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    Logger.overrideLogger(false);
    db = await createTestDatabase('event_seal');
    dataSource = await openDataSource(db.url);
  });

  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
  });

  /** A log with the inbox on (the statement that writes work and seals), keyed by `encryptionKey`. */
  async function sealingLog(encryptionKey: EncryptionKeyOption | undefined, ds = dataSource, schema?: string) {
    const log = new TypeOrmEventLog(ds, { maxDelayMs: 0, pruneIntervalMs: 3_600_000, encryptionKey, schema });
    await log.init();
    open.push(log);
    const inbox = new TypeOrmInbox(ds, log, { schema });
    await inbox.start();
    open.push(inbox);
    return log;
  }

  async function stored(event: WebhookEventRecord): Promise<{ id: string; seal: Buffer | null; key: string | null }> {
    const [row] = await dataSource.query(
      `SELECT id::text AS id, seal, seal_key_id AS key FROM webhook_events
        WHERE endpoint = $1 AND message_id = $2 AND status = 'accepted'`,
      [event.endpoint, event.messageId],
    );
    return row;
  }

  it('seals an accepted event with work under the current key, as written out here; others pay nothing', async () => {
    const log = await sealingLog({ current: 'k1', keys: { k1: K1 } });
    const event = record();
    expect(await log.record(event)).toBe('accepted');
    const row = await stored(event);
    expect(row.key).toBe('k1');
    expect(row.seal!.equals(expectedSeal(K1, event as Required<WebhookEventRecord>))).toBe(true);
    expect(await log.checkSeal(row.id)).toBe('intact');

    const plain = record({ work: undefined });
    await log.record(plain);
    expect(await stored(plain)).toMatchObject({ seal: null, key: null });
    expect(await log.checkSeal((await stored(plain)).id)).toBe('unsealed');
    expect(await log.checkSeal('999999999')).toBeUndefined();
    expect(await log.checkSeal('99999999999999999999')).toBeUndefined();
  });

  it('refuses a body rewritten in the table together with its digest column', async () => {
    const log = await sealingLog({ current: 'k1', keys: { k1: K1 } });
    const event = record();
    await log.record(event);
    const { id } = await stored(event);
    const forged = Buffer.from('{"type":"invoice.paid","amount":1000000}');
    await dataSource.query(`UPDATE webhook_events SET body = $2, body_size = $3, body_sha256 = $4 WHERE id = $1`, [
      id,
      forged,
      forged.length,
      createHash('sha256').update(forged).digest(),
    ]);
    expect(await log.checkSeal(id)).toBe('mismatch');
    // The digest column alone agrees with the forged body: it is what the old check trusted.
    expect((await log.get(id))!.bodySha256).toBe(createHash('sha256').update(forged).digest('hex'));
  });

  it('refuses a row copied to another endpoint, one released (status rewritten) and one cut', async () => {
    const log = await sealingLog({ current: 'k1', keys: { k1: K1 } });
    const event = record();
    await log.record(event);
    const { id } = await stored(event);
    const [copy] = await dataSource.query(
      `INSERT INTO webhook_events (endpoint, provider, message_id, status, received_at, method, path, headers, body,
                                   body_size, body_sha256, occurrences, event_type, seal, seal_key_id)
       SELECT 'payroll', provider, message_id, status, received_at, method, path, headers, body, body_size,
              body_sha256, occurrences, event_type, seal, seal_key_id FROM webhook_events WHERE id = $1
       RETURNING id::text AS id`,
      [id],
    );
    expect(await log.checkSeal(copy.id)).toBe('mismatch');
    expect(await log.checkSeal(id)).toBe('intact');

    await dataSource.query(`UPDATE webhook_events SET body = substring(body FROM 1 FOR 5) WHERE id = $1`, [copy.id]);
    expect(await log.checkSeal(copy.id)).toBe('truncated');
    await dataSource.query(`UPDATE webhook_events SET status = 'rejected' WHERE id = $1`, [id]);
    expect(await log.checkSeal(id)).toBe('mismatch');
  });

  it('keeps an old seal checkable across a master-key rotation while the old key is in the ring', async () => {
    const before = await sealingLog({ current: 'k1', keys: { k1: K1 } });
    const old = record();
    await before.record(old);
    const { id: oldId } = await stored(old);
    for (const o of open.splice(0).reverse()) await o.close();

    const rotated = await sealingLog({ current: 'k2', keys: { k1: K1, k2: K2 } });
    expect(await rotated.checkSeal(oldId)).toBe('intact');
    const fresh = record();
    await rotated.record(fresh);
    const newRow = await stored(fresh);
    expect(newRow.key).toBe('k2');
    expect(newRow.seal!.equals(expectedSeal(K2, fresh as Required<WebhookEventRecord>))).toBe(true);
    for (const o of open.splice(0).reverse()) await o.close();

    // The old key dropped: its seals can no longer be checked, and are refused.
    const after = await sealingLog({ current: 'k2', keys: { k2: K2 } });
    expect(await after.checkSeal(oldId)).toBe('unknown_key');
    expect(await after.checkSeal(newRow.id)).toBe('intact');
    // A master key under the old id that is not the old key: the seal does not match.
    const swapped = await sealingLog({ current: 'k1', keys: { k1: K2 } });
    expect(await swapped.checkSeal(oldId)).toBe('mismatch');
  });

  it('without a master key nothing is sealed, and every event is unsealed', async () => {
    const log = await sealingLog(undefined);
    const event = record();
    await log.record(event);
    expect(await stored(event)).toMatchObject({ seal: null, key: null });
    expect(await log.checkSeal((await stored(event)).id)).toBe('unsealed');
  });

  it('an older schema without the seal columns still records; the inbox asks for the migration', async () => {
    const older = await openDataSource(db.url, { schema: 'older' });
    open.push({ close: () => older.destroy() });
    await older.query(`ALTER TABLE older.webhook_events DROP COLUMN seal, DROP COLUMN seal_key_id`);
    const log = new TypeOrmEventLog(older, { maxDelayMs: 0, schema: 'older', encryptionKey: K1 });
    await log.init();
    open.push(log);
    expect(await log.record(record({ work: undefined, endpoint: 'old' }))).toBe('accepted');
    const [{ id }] = await older.query(`SELECT id::text AS id FROM older.webhook_events WHERE endpoint = 'old'`);
    expect(await log.checkSeal(id)).toBe('unsealed');
    await expect(log.useInbox(() => undefined, { channel: 'c', payload: 'p', wake: () => undefined })).rejects.toThrow(
      /seal or seal_key_id is missing.*migrate/,
    );
  });
});
