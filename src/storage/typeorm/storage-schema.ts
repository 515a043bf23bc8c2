import { WebhookConfigurationError } from '../../core/errors';

/** Table names: every table Hookwarden creates starts with `webhook_`. @publicApi */
export const HOOKWARDEN_TABLES = {
  events: 'webhook_events',
  secrets: 'webhook_secrets',
  encryptionKeys: 'webhook_encryption_keys',
  audit: 'webhook_audit',
  endpoints: 'webhook_endpoints',
  jobs: 'webhook_inbox_jobs',
  acks: 'webhook_event_acks',
} as const;

/** The channel on which an instance tells the others that inbox work is ready (payload: the schema). @internal */
export const INBOX_CHANNEL = 'hookwarden_inbox';

/** The channel on which the secrets table announces changes (payload: JSON `{ schema, endpoint }`). @internal */
export const SECRETS_CHANNEL = 'hookwarden_secrets';

/** The channel on which the endpoints table announces changes (payload: JSON `{ schema, endpoint }`). @internal */
export const ENDPOINTS_CHANNEL = 'hookwarden_endpoints';

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Refuses a schema name that would need quoting tricks; undefined stays undefined. @internal */
export function validateSchemaName(schema: string | undefined): string | undefined {
  if (schema === undefined) return undefined;
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema)) {
    throw new WebhookConfigurationError(
      `Hookwarden schema "${String(schema)}" must be 1–63 letters, digits or '_', not starting with a digit.`,
    );
  }
  return schema;
}

/** `"name"`, with embedded quotes doubled. @internal */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `"schema"."table"`, or `"table"` without a schema. @internal */
export function qualified(schema: string | undefined, table: string): string {
  return schema ? `${quoteIdent(schema)}.${quoteIdent(table)}` : quoteIdent(table);
}
