import { randomInt } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { StatusOnlyStrategy } from '../core/challenges/status-only.strategy';
import { HmacScheme } from '../core/engines/hmac.engine';
import { headerValue, type WebhookRequest } from '../core/request';
import { isSuccess } from './challenge-answers';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

const SIGNATURE_HEADER = 'x-wc-webhook-signature';

/** `wp_specialchars_decode()`'s zero-padding rules, then its table (ENT_QUOTES), applied once as PHP's strtr does. */
const ZERO_PADDED: ReadonlyArray<readonly [RegExp, string]> = [
  [/&#0*39;/g, '&#039;'],
  [/&#x0*27;/gi, '&#x27;'],
  [/&#0*34;/g, '&#034;'],
  [/&#x0*22;/gi, '&#x22;'],
  [/&#0*60;/g, '&#060;'],
  [/&#0*62;/g, '&#062;'],
  [/&#0*38;/g, '&#038;'],
  [/&#x0*26;/gi, '&#x26;'],
];
const ENTITIES: Readonly<Record<string, string>> = {
  '&#039;': "'",
  '&#x27;': "'",
  '&quot;': '"',
  '&#034;': '"',
  '&#x22;': '"',
  '&lt;': '<',
  '&#060;': '<',
  '&gt;': '>',
  '&#062;': '>',
  '&amp;': '&',
  '&#038;': '&',
  '&#x26;': '&',
};
const ENTITY = new RegExp(Object.keys(ENTITIES).join('|'), 'g');

/**
 * WooCommerce keys its HMAC with `wp_specialchars_decode($secret, ENT_QUOTES)`: HTML entities in
 * the stored secret (`&amp;`, `&#039;`, …) are decoded first, so a secret WordPress stored escaped
 * signs as the text the user typed.
 */
function wooCommerceKey(secret: string | Buffer): Buffer {
  const text = Buffer.isBuffer(secret) ? secret.toString('utf8') : secret;
  if (!text.includes('&')) return Buffer.from(text, 'utf8');
  const unpadded = ZERO_PADDED.reduce((value, [pattern, replacement]) => value.replace(pattern, replacement), text);
  return Buffer.from(
    unpadded.replace(ENTITY, (entity) => ENTITIES[entity]),
    'utf8',
  );
}

/**
 * WooCommerce: `X-WC-Webhook-Signature: <base64 HMAC-SHA256 of the body>`, keyed with the
 * webhook's secret (entity-decoded, see above). SHA-256 is WooCommerce's default; a site that
 * changed it through the `woocommerce_webhook_hash_algorithm` filter is not covered. No timestamp;
 * `X-WC-Webhook-Delivery-ID` changes per delivery, so it is not a message id: identical bodies
 * under one `X-WC-Webhook-Topic` are deduplicated.
 */
const wooCommerceScheme = () =>
  new HmacScheme({
    name: 'woocommerce',
    header: SIGNATURE_HEADER,
    encoding: 'base64',
    decodeKey: wooCommerceKey,
    eventTypeHeader: 'x-wc-webhook-topic',
  });

const PING_BODY = /^webhook_id=[0-9]{1,20}$/;

/** The creation ping: a POST of exactly `webhook_id=<n>` without a signature header. */
function isPing(request: WebhookRequest): boolean {
  return (
    request.method === 'POST' &&
    headerValue(request, SIGNATURE_HEADER) === undefined &&
    Buffer.isBuffer(request.rawBody) &&
    request.rawBody.length <= 32 &&
    PING_BODY.test(request.rawBody.toString('latin1'))
  );
}

/**
 * WooCommerce's unsigned ping when a webhook is created or activated: `webhook_id=<n>`, without
 * signature headers, which must get a 2xx or the webhook stays inactive. It is answered `200` with
 * no body and never reaches the handler: an unsigned ping is acknowledged, never trusted.
 * @publicApi
 */
export function wooCommerceChallenge(): ChallengeStrategy {
  return new StatusOnlyStrategy({ match: isPing, status: 200 });
}

const { provider, preset } = sharedSecretProvider({
  id: 'woocommerce',
  displayName: 'WooCommerce',
  docsUrl: 'https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks',
  presetName: 'wooCommerce',
  secretOption: 'secret',
  verification: '`X-WC-Webhook-Signature`: base64 HMAC-SHA256 of the body, keyed with the entity-decoded secret',
  challenge: '`wooCommerceChallenge()`: the unsigned `webhook_id=<n>` ping → 200 (not passed to the handler)',
  eventType: { header: 'x-wc-webhook-topic' },
  vectors: 'self-computed',
  scheme: wooCommerceScheme,
  challengeStrategy: wooCommerceChallenge,
  generateSecret: () => randomAlphanumeric(50),
  sampleEvent: jsonEvent(() => ({
    id: randomInt(1, 2 ** 31),
    status: 'processing',
    date_modified_gmt: new Date().toISOString().slice(0, 19),
  })),
  challengeRequest: () => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'WooCommerce Hookshot' },
    body: `webhook_id=${randomInt(1, 100_000)}`,
    check: (answer) => (isSuccess(answer.status) ? undefined : 'expected 2xx to the ping'),
  }),
});

/** WooCommerce webhooks. @publicApi */
export const wooCommerceProvider = provider;

/**
 * WooCommerce: base64 `X-WC-Webhook-Signature` over the body, `X-WC-Webhook-Topic` as the event
 * type, and `wooCommerceChallenge()` for the unsigned creation ping.
 * @publicApi
 * @example endpoints: { woo: wooCommerce({ secret: process.env.WC_WEBHOOK_SECRET }) }
 */
export const wooCommerce = preset;
