import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Typeform: `Typeform-Signature: sha256=<base64 HMAC-SHA256 of the body>`, keyed with the webhook's
 * secret as UTF-8. Nothing is timestamped.
 */
const typeformScheme = () =>
  new HmacScheme({
    name: 'typeform',
    header: 'typeform-signature',
    prefix: 'sha256=',
    encoding: 'base64',
    idField: 'event_id',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'typeform',
  displayName: 'Typeform',
  docsUrl: 'https://www.typeform.com/developers/webhooks/secure-your-webhooks/',
  presetName: 'typeform',
  secretOption: 'secret',
  verification: '`Typeform-Signature: sha256=\u2026`: base64 HMAC-SHA256 of the body',
  messageId: { bodyField: 'event_id' },
  eventType: { bodyField: 'event_type' },
  vectors: 'self-computed',
  scheme: typeformScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({
    event_id: randomBytes(13).toString('hex').toUpperCase(),
    event_type: 'form_response',
    form_response: { form_id: 'lT4Z3j', submitted_at: new Date().toISOString(), answers: [] },
  })),
});

/** Typeform webhooks. @publicApi */
export const typeformProvider = provider;

/**
 * Typeform webhooks: base64 `Typeform-Signature` over the body, the body's `event_id` as the message id.
 * @publicApi
 * @example endpoints: { typeform: typeform({ secret: process.env.TYPEFORM_WEBHOOK_SECRET }) }
 */
export const typeform = preset;
