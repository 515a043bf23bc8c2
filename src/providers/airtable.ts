import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Airtable: `X-Airtable-Content-MAC: hmac-sha256=<hex HMAC-SHA256 of the body>`, keyed with the
 * base64-decoded `macSecretBase64` the create-webhook call returned once (so the secret is given as
 * that base64 text). Notifications are pings without an id; the changes are fetched by cursor.
 */
const airtableScheme = () =>
  new HmacScheme({
    name: 'airtable',
    header: 'x-airtable-content-mac',
    prefix: 'hmac-sha256=',
    keyEncoding: 'base64',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'airtable',
  displayName: 'Airtable',
  docsUrl: 'https://airtable.com/developers/web/api/webhooks-overview',
  presetName: 'airtable',
  secretOption: 'secret',
  verification: '`X-Airtable-Content-MAC: hmac-sha256=\u2026`: hex HMAC-SHA256 of the body, key base64-decoded',
  vectors: 'self-computed',
  scheme: airtableScheme,
  generateSecret: () => randomBytes(32).toString('base64'),
  sampleEvent: jsonEvent(() => ({
    base: { id: `app${randomBytes(7).toString('hex')}` },
    webhook: { id: `ach${randomBytes(7).toString('hex')}` },
    timestamp: new Date().toISOString(),
  })),
});

/** Airtable webhooks. @publicApi */
export const airtableProvider = provider;

/**
 * Airtable webhooks: hex `X-Airtable-Content-MAC` over the body with the base64-decoded `macSecretBase64`.
 * @publicApi
 * @example endpoints: { airtable: airtable({ secret: process.env.AIRTABLE_MAC_SECRET_BASE64 }) }
 */
export const airtable = preset;
