/**
 * A delivery that passed verification, as the handler receives it through `@WebhookEvent()`.
 * @publicApi
 */
export interface VerifiedWebhook<TPayload = unknown> {
  /** The endpoint name from the options. */
  readonly endpoint: string;
  readonly provider: string;
  /** The provider's message id, when it sends one. */
  readonly id?: string;
  /**
   * What duplicates are recognised by: the provider's message id, or where it sends none,
   * `sha256:<hex>` of what its signature covers (the signed timestamp and the body; Twilio: the URL
   * and parameters), with the unsigned topic header of Shopify and GitHub. Absent where the endpoint
   * does not deduplicate content (Dropbox, Microsoft Graph) and the provider signs no id.
   */
  readonly dedupeKey?: string;
  /**
   * The provider's event type (`invoice.paid`, `push`…), read where its catalogue entry (or the
   * endpoint's `eventType`) says it is; at most 128 characters. What `@OnWebhook(endpoint, types)`
   * routes on and the event log records.
   */
  readonly eventType?: string;
  /** The signed timestamp, when the provider signs one. */
  readonly timestamp?: Date;
  /** The parsed body: JSON as an object, a form as its fields, otherwise what the platform parsed. */
  readonly payload: TPayload;
  /** The exact bytes that were verified. */
  readonly rawBody: Buffer;
  /** The version of the secret that matched. */
  readonly secretVersion?: number;
  readonly receivedAt: Date;
}

/** What the verifier decided about a request that it did not reject. @publicApi */
export type WebhookOutcome =
  | { readonly status: 'accepted'; readonly delivery: VerifiedWebhook }
  | { readonly status: 'duplicate'; readonly delivery: VerifiedWebhook };
