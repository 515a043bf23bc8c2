import { WebhookConfigurationError } from '../../core/errors';
import type { EventSealCheck } from '../event-log.interface';
import { EventSealer, storedContentType, type SealedRow } from '../event-seal';
import type { BoundedQuery } from './event-log-connections';
import { isInt8 } from './event-log-reader';
import { SecretCipher } from './secret-cipher';
import type { Sql } from './sql';
import type { EncryptionKeyOption } from './typeorm-storage.options';

/**
 * The sealer of the TypeORM event log: keyed by a subkey of each master key of the secret store's
 * ring, new seals under the current one, so old seals stay checkable while their key stays in it.
 * @internal
 */
export function masterKeySealer(option: EncryptionKeyOption | undefined): EventSealer | undefined {
  if (option === undefined) return undefined;
  const cipher = new SecretCipher(option);
  return new EventSealer({ currentKeyId: cipher.currentKeyId, key: (id) => cipher.sealKey(id) });
}

/**
 * Whether the seal columns exist (they come with a migration of their own). Recording does not
 * need them: an older schema keeps working without the inbox. The inbox does (see
 * {@link missingSealColumns}), as its events are the ones sealed.
 * @internal
 */
export async function hasSealColumns(sql: Sql, table: string): Promise<boolean> {
  const { rows } = await sql<{ found: boolean }>(
    `SELECT (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass($1) AND NOT attisdropped
               AND attname IN ('seal', 'seal_key_id')) = 2 AS found`,
    [table],
  );
  return rows[0]?.found === true;
}

/** The start-up error of an inbox on a schema without the seal columns. @internal */
export function missingSealColumns(table: string): WebhookConfigurationError {
  return new WebhookConfigurationError(
    `The column seal or seal_key_id is missing in ${table}: run Hookwarden's migrations (HOOKWARDEN_MIGRATIONS, ` +
      'or `npx hookwarden migrate`) to use @OnWebhook handlers.',
  );
}

/** Reads the row and checks its seal (undefined for an id that is not one; `unsealed` without a sealer). @internal */
export async function checkStoredSeal(
  query: BoundedQuery,
  table: string,
  sealer: EventSealer | undefined,
  id: string,
): Promise<EventSealCheck | undefined> {
  if (!isInt8(id)) return undefined;
  const { rows } = await query<SealColumns>(
    `SELECT endpoint, message_id, event_type, status, body, body_size, seal, seal_key_id, headers FROM ${table}
      WHERE id = $1::bigint`,
    [id],
  );
  const row = rows[0];
  if (!row) return undefined;
  if (!sealer) return 'unsealed';
  return sealer.check(sealedRow(row));
}

/** The columns of an events row that its seal covers. @internal */
export interface SealColumns {
  endpoint: string;
  message_id: string | null;
  event_type: string | null;
  status: string;
  headers: Record<string, string> | null;
  body: Buffer;
  body_size: number;
  seal: Buffer | null;
  seal_key_id: string | null;
}

/** A stored row as the seal reads it (the replay's check and the workers' claim read the same). @internal */
export function sealedRow(row: SealColumns): SealedRow {
  return {
    endpoint: row.endpoint,
    messageId: row.message_id,
    eventType: row.event_type,
    status: row.status,
    contentType: storedContentType(row.headers),
    body: row.body,
    bodySize: row.body_size,
    seal: row.seal,
    sealKeyId: row.seal_key_id,
  };
}
