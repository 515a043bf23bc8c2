import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { utf8SecretBytes } from '../core/engines/scheme-support';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * EasyPost's key is the webhook secret Unicode-NFKD-normalised, then UTF-8 (`sécret` keys with
 * `e` + U+0301): EasyPost's client libraries do so, and the NFC bytes give another digest. A
 * `Buffer` secret is used as is.
 */
const nfkdKey = (secret: string | Buffer): Buffer =>
  utf8SecretBytes(typeof secret === 'string' ? secret.normalize('NFKD') : secret);

/**
 * EasyPost signs the raw body in `X-Hmac-Signature: hmac-sha256-hex=<hex>`. No timestamp is
 * signed; the body's `id` (`evt_…`) is the event. easypost-node rewrites integer `weight` values
 * before hashing; this hashes the raw bytes, as EasyPost signed them.
 */
const easypostScheme = () =>
  new HmacScheme({
    name: 'easypost',
    header: 'x-hmac-signature',
    prefix: 'hmac-sha256-hex=',
    decodeKey: nfkdKey,
    idField: 'id',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'easypost',
  displayName: 'EasyPost',
  docsUrl: 'https://docs.easypost.com/guides/webhooks-guide#hmac-validation',
  presetName: 'easypost',
  secretOption: 'secret',
  verification: '`X-Hmac-Signature: hmac-sha256-hex=…`: HMAC-SHA256 of the body, key = the NFKD-normalised secret',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'description' },
  vectors: 'verified',
  scheme: easypostScheme,
  generateSecret: () => randomAlphanumeric(32),
  sampleEvent: jsonEvent(() => ({
    id: `evt_${randomBytes(16).toString('hex')}`,
    object: 'Event',
    description: 'tracker.updated',
    mode: 'test',
    created_at: new Date().toISOString(),
    result: { object: 'Tracker', status: 'in_transit' },
  })),
});

/** EasyPost webhooks. @publicApi */
export const easypostProvider = provider;

/**
 * EasyPost: `X-Hmac-Signature` over the body with the NFKD-normalised secret, `id` as the message id.
 * @publicApi
 * @example endpoints: { easypost: easypost({ secret: process.env.EASYPOST_WEBHOOK_SECRET }) }
 */
export const easypost = preset;
