import type { ChallengeStrategy } from '../core/challenge-strategy';
import type { SignatureScheme } from '../core/signature-scheme';

/**
 * Where a provider puts a value of its deliveries: a header, a JSON body field (a number there,
 * such as Telegram's `update_id`, is reported as its decimal text), the first present of several
 * body fields, or a claim of the JWT the scheme verifies (Vonage's `jti`).
 * @publicApi
 */
export type DeliveryField =
  | { readonly header: string }
  | { readonly bodyField: string }
  | { readonly bodyFields: readonly string[] }
  | { readonly jwtClaim: string };

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
  /**
   * Where the provider sends no message id, deduplicate on what it signed: a byte-identical replay
   * (same body, same signed timestamp) is answered as a duplicate. Off for providers whose identical
   * bodies are distinct notifications ("something changed": Dropbox, Microsoft Graph).
   * @default true
   */
  readonly dedupeSignedContent?: boolean;
  /**
   * How the provider confirms the URL, answered on routes marked `@WebhookChallenge()`.
   * Presets set it; a route can pass its own strategy to the decorator instead.
   */
  readonly challenge?: ChallengeStrategy;
  /**
   * Values of the challenge-only secrets (`verify-token`, …) seeded on start, by name; each can be
   * rotated through the admin API like a signing secret.
   */
  readonly namedSecrets?: Readonly<Record<string, SecretInput | readonly SecretInput[] | undefined>>;
  /**
   * For providers whose handshake delivers the signing secret (Asana): accept a new handshake when
   * the endpoint already has a secret, replacing it. Off by default, so nobody can swap the secret
   * of a working endpoint with a forged handshake.
   * @default false
   */
  readonly allowSecretReplacement?: boolean;
  /**
   * Makes a new secret in the provider's format, for a rotation through the admin API that does not
   * supply one (Standard Webhooks: `whsec_` and 32 random bytes). Absent: 32 random bytes in hex.
   */
  readonly generateSecret?: () => string;
  /**
   * Where the event type is, for `@OnWebhook` routing: a header or a body field. Defaults to the
   * provider's catalogue entry (`stripe`: body `type`; `github`: the `X-GitHub-Event` header).
   */
  readonly eventType?: DeliveryField;
}

/** @internal */
export function toSecretList(secret: SecretInput | readonly SecretInput[] | undefined): readonly SecretInput[] {
  if (secret === undefined) return [];
  return Array.isArray(secret) ? secret : [secret as SecretInput];
}
