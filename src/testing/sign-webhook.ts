import { randomUUID } from 'node:crypto';
import { findProvider, WEBHOOK_PROVIDERS } from '../providers/catalogue';
import type { ChallengeRequest, ChallengeRequestInput, WebhookProvider } from '../providers/provider';

/** @publicApi */
export interface SignWebhookOptions {
  /**
   * The signing key: the endpoint's secret for HMAC providers (the same string you configure), the
   * private key for asymmetric ones (see the provider's `testKey()` for the format).
   */
  readonly secret: string | Buffer;
  /** The body as sent; an object is sent as JSON. Absent: the provider's sample event, with a fresh id. */
  readonly body?: string | Buffer | Record<string, unknown>;
  /** The endpoint URL exactly as registered with the provider (required by those that sign it). */
  readonly url?: string;
  /** @default 'application/json' (or the sample event's type when no body is given) */
  readonly contentType?: string;
  /** The signed time. @default now */
  readonly timestamp?: Date | number;
  /** The message id, for providers that send it in a header. @default a random UUID (`msg_…` for Standard Webhooks) */
  readonly id?: string;
  /** The event type, for providers that name it in a header (GitHub, Shopify). */
  readonly eventType?: string;
}

/**
 * A delivery as the provider would send it.
 * @publicApi
 */
export interface SignedWebhookRequest {
  readonly method: 'POST';
  /** `url` with the scheme's query parameters added (when a URL was given). */
  readonly url?: string;
  /** Header names in lower case, the content type included. */
  readonly headers: Readonly<Record<string, string>>;
  /** Query parameters the provider adds (Twilio's `bodySHA256`, Strava's token). */
  readonly query: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

/**
 * Signs a delivery exactly as `provider` does, for your own tests: send the result to your app and
 * the endpoint configured with the same secret accepts it.
 * @publicApi
 * @example
 * const delivery = signWebhook('stripe', { secret: 'whsec_…', body: { id: 'evt_1', type: 'invoice.paid' } });
 * // As text with supertest: it JSON-encodes a Buffer sent as application/json.
 * await request(app.getHttpServer()).post('/hooks/stripe').set(delivery.headers).send(delivery.body.toString());
 */
export function signWebhook(provider: string | WebhookProvider, options: SignWebhookOptions): SignedWebhookRequest {
  const entry = resolveProvider(provider);
  if (entry.requires?.includes('url') && !options.url) {
    throw new TypeError(`${entry.displayName} signs the endpoint URL: pass \`url\` exactly as registered.`);
  }
  const sample = options.body === undefined ? entry.sampleEvent() : undefined;
  const body = toBody(options.body ?? sample!.body);
  const contentType = options.contentType ?? sample?.contentType ?? 'application/json';
  const timestamp = options.timestamp ?? Date.now();
  const signed = entry.scheme({ url: options.url }).sign({
    body,
    key: options.secret,
    timestamp: Math.floor((timestamp instanceof Date ? timestamp.getTime() : timestamp) / 1000),
    id: options.id ?? (/^(standard-webhooks|svix)/.test(entry.id) ? `msg_${randomUUID()}` : randomUUID()),
    contentType,
    ...(options.eventType !== undefined ? { eventType: options.eventType } : {}),
  });
  const query = { ...signed.query };
  return {
    method: 'POST',
    ...(options.url !== undefined ? { url: withQuery(options.url, query) } : {}),
    headers: { 'content-type': contentType, ...signed.headers },
    query,
    body: signed.body ?? body,
  };
}

/**
 * The URL-verification request `provider` sends, and a `check()` of your app's answer.
 * @publicApi
 */
export function challengeRequest(provider: string | WebhookProvider, input: ChallengeRequestInput): ChallengeRequest {
  const entry = resolveProvider(provider);
  if (!entry.challengeRequest) throw new TypeError(`${entry.displayName} sends no URL-verification challenge.`);
  return entry.challengeRequest(input);
}

/**
 * A fresh key for `provider` in its format: configure the endpoint with `secret`, sign with `signingKey`.
 * @publicApi
 */
export function testKey(provider: string | WebhookProvider): { readonly secret: string; readonly signingKey: string } {
  return resolveProvider(provider).testKey();
}

function resolveProvider(provider: string | WebhookProvider): WebhookProvider {
  if (typeof provider !== 'string') return provider;
  const entry = findProvider(provider);
  if (!entry) {
    throw new TypeError(
      `Unknown provider "${provider}". Known: ${WEBHOOK_PROVIDERS.map((known) => known.id).join(', ')}.`,
    );
  }
  return entry;
}

function toBody(body: string | Buffer | Record<string, unknown>): Buffer {
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
}

function withQuery(url: string, query: Readonly<Record<string, string>>): string {
  if (Object.keys(query).length === 0) return url;
  const target = new URL(url);
  for (const [name, value] of Object.entries(query)) target.searchParams.set(name, value);
  return target.toString();
}
