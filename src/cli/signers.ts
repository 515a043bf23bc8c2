import { createHmac, createPrivateKey, randomUUID, sign as signAsymmetric } from 'node:crypto';

/** What a signer needs to sign one delivery the way a provider does. */
export interface SignInput {
  readonly body: Buffer;
  readonly secret: string;
  /** The endpoint URL exactly as registered (Twilio, Square and Trello sign it). */
  readonly url: string;
  readonly contentType: string;
  /** Unix seconds; now unless a test pins it. */
  readonly timestamp: number;
  readonly id: string;
}

/** A signed delivery: the headers to send with the body. */
export type SignedHeaders = Record<string, string>;

type Signer = (input: SignInput) => SignedHeaders;

const hmac = (algorithm: string, key: string | Buffer, ...parts: Array<string | Buffer>) => {
  const mac = createHmac(algorithm, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
};

function standardKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

function standardFamily(prefix: 'webhook' | 'svix'): Signer {
  return ({ body, secret, timestamp, id }) => ({
    [`${prefix}-id`]: id,
    [`${prefix}-timestamp`]: String(timestamp),
    [`${prefix}-signature`]: `v1,${hmac('sha256', standardKey(secret), `${id}.${timestamp}.`, body).toString('base64')}`,
  });
}

/** Twilio signs the URL followed by the sorted form parameters (key + value, repeated keys sorted by value). */
function twilioPayload(url: string, body: Buffer, contentType: string): string {
  if (!contentType.startsWith('application/x-www-form-urlencoded')) return url;
  const params = [...new URLSearchParams(body.toString('utf8'))].sort(([ka, va], [kb, vb]) =>
    ka === kb ? (va < vb ? -1 : va > vb ? 1 : 0) : ka < kb ? -1 : 1,
  );
  return url + params.map(([k, v]) => k + v).join('');
}

/**
 * One signer per provider, each written from the provider's documentation (see
 * shared/providers.md), so deliveries sent with `hookwarden send` look like the real thing.
 */
export const SIGNERS: Readonly<Record<string, Signer>> = {
  standard: standardFamily('webhook'),
  svix: standardFamily('svix'),
  stripe: ({ body, secret, timestamp }) => ({
    'stripe-signature': `t=${timestamp},v1=${hmac('sha256', secret, `${timestamp}.`, body).toString('hex')}`,
  }),
  github: ({ body, secret, id }) => ({
    'x-github-delivery': id,
    'x-github-event': 'ping',
    'x-hub-signature-256': `sha256=${hmac('sha256', secret, body).toString('hex')}`,
  }),
  slack: ({ body, secret, timestamp }) => ({
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': `v0=${hmac('sha256', secret, `v0:${timestamp}:`, body).toString('hex')}`,
  }),
  zoom: ({ body, secret, timestamp }) => ({
    'x-zm-request-timestamp': String(timestamp),
    'x-zm-signature': `v0=${hmac('sha256', secret, `v0:${timestamp}:`, body).toString('hex')}`,
  }),
  shopify: ({ body, secret, id }) => ({
    'x-shopify-webhook-id': id,
    'x-shopify-topic': 'orders/create',
    'x-shopify-hmac-sha256': hmac('sha256', secret, body).toString('base64'),
  }),
  twitch: ({ body, secret, id, timestamp }) => {
    const at = new Date(timestamp * 1000).toISOString();
    return {
      'twitch-eventsub-message-id': id,
      'twitch-eventsub-message-timestamp': at,
      'twitch-eventsub-message-type': 'notification',
      'twitch-eventsub-message-signature': `sha256=${hmac('sha256', secret, id, at, body).toString('hex')}`,
    };
  },
  meta: ({ body, secret }) => ({ 'x-hub-signature-256': `sha256=${hmac('sha256', secret, body).toString('hex')}` }),
  dropbox: ({ body, secret }) => ({ 'x-dropbox-signature': hmac('sha256', secret, body).toString('hex') }),
  asana: ({ body, secret }) => ({ 'x-hook-signature': hmac('sha256', secret, body).toString('hex') }),
  smartsheet: ({ body, secret }) => ({ 'smartsheet-hmac-sha256': hmac('sha256', secret, body).toString('hex') }),
  linear: ({ body, secret, id }) => ({
    'linear-delivery': id,
    'linear-signature': hmac('sha256', secret, body).toString('hex'),
  }),
  intercom: ({ body, secret }) => ({ 'x-hub-signature': `sha1=${hmac('sha1', secret, body).toString('hex')}` }),
  twitter: ({ body, secret }) => ({
    'x-twitter-webhooks-signature': `sha256=${hmac('sha256', secret, body).toString('base64')}`,
  }),
  pagerduty: ({ body, secret }) => ({ 'x-pagerduty-signature': `v1=${hmac('sha256', secret, body).toString('hex')}` }),
  trello: ({ body, secret, url }) => ({ 'x-trello-webhook': hmac('sha1', secret, body, url).toString('base64') }),
  square: ({ body, secret, url }) => ({
    'x-square-hmacsha256-signature': hmac('sha256', secret, url, body).toString('base64'),
  }),
  box: ({ body, secret, id, timestamp }) => {
    const at = new Date(timestamp * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    return {
      'box-delivery-id': id,
      'box-delivery-timestamp': at,
      'box-signature-algorithm': 'HmacSHA256',
      'box-signature-version': '1',
      'box-signature-primary': hmac('sha256', secret, body, at).toString('base64'),
    };
  },
  twilio: ({ body, secret, url, contentType, id }) => ({
    // Twilio's message id (the preset deduplicates on it); not covered by the signature.
    'i-twilio-idempotency-token': id,
    'x-twilio-signature': hmac('sha1', secret, twilioPayload(url, body, contentType)).toString('base64'),
  }),
  /** Discord signs with the application's Ed25519 private key: pass its 32-byte seed in hex. */
  discord: ({ body, secret, timestamp }) => {
    const seed = Buffer.from(secret, 'hex');
    const key = createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]),
      format: 'der',
      type: 'pkcs8',
    });
    return {
      'x-signature-timestamp': String(timestamp),
      'x-signature-ed25519': signAsymmetric(null, Buffer.concat([Buffer.from(String(timestamp)), body]), key).toString(
        'hex',
      ),
    };
  },
};

/** Signs a delivery for a provider; unknown providers are refused with the list of known ones. */
export function signDelivery(
  provider: string,
  input: Omit<SignInput, 'timestamp' | 'id'> & Partial<SignInput>,
): SignedHeaders {
  const signer = SIGNERS[provider];
  if (!signer) throw new Error(`Unknown provider "${provider}". Known: ${Object.keys(SIGNERS).join(', ')}.`);
  return signer({
    ...input,
    timestamp: input.timestamp ?? Math.floor(Date.now() / 1000),
    id: input.id ?? (provider === 'standard' || provider === 'svix' ? `msg_${randomUUID()}` : randomUUID()),
  });
}
