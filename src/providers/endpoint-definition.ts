import type { SignatureScheme } from '../core/signature-scheme';

/** A secret as configured: the provider's string form, or raw bytes. @publicApi */
export type SecretInput = string | Buffer;

/**
 * Everything Hookwarden needs to know about one webhook endpoint. Presets (`standardWebhooks()`,
 * …) return one; it is plain data, so an endpoint can also be written by hand.
 * @publicApi
 */
export interface WebhookEndpointDefinition {
  /** The provider's name, recorded in the event log and shown by the admin API. */
  readonly provider: string;
  /** Every scheme must accept the request (for example an IP allow-list and a signature). */
  readonly schemes: readonly SignatureScheme[];
  /** Secrets seeded into the secret store on start, oldest first; all of them are live. */
  readonly secrets?: readonly SecretInput[];
  /**
   * How long a message id is remembered to drop duplicates when the provider signs no timestamp.
   * With a signed timestamp, an id is remembered until the timestamp leaves the tolerance window.
   * @default 86400
   */
  readonly dedupeWindowSeconds?: number;
}

/** @internal */
export function toSecretList(secret: SecretInput | readonly SecretInput[] | undefined): readonly SecretInput[] {
  if (secret === undefined) return [];
  return Array.isArray(secret) ? secret : [secret as SecretInput];
}
