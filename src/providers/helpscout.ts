import { randomInt } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomUrlSafeSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Help Scout: `X-HelpScout-Signature: <base64 HMAC-SHA1 of the body>`, keyed with the webhook's
 * secret key. No timestamp and no delivery id; the event is in the unsigned `X-HelpScout-Event`.
 */
const helpscoutScheme = () =>
  new HmacScheme({
    name: 'helpscout',
    header: 'x-helpscout-signature',
    algorithm: 'sha1',
    encoding: 'base64',
    eventTypeHeader: 'x-helpscout-event',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'helpscout',
  displayName: 'Help Scout',
  docsUrl: 'https://developer.helpscout.com/webhooks',
  presetName: 'helpscout',
  secretOption: 'secret',
  verification: '`X-HelpScout-Signature`: base64 HMAC-SHA1 of the body',
  eventType: { header: 'x-helpscout-event' },
  vectors: 'self-computed',
  scheme: helpscoutScheme,
  generateSecret: randomUrlSafeSecret,
  sampleEvent: jsonEvent(() => ({ id: randomInt(1e9), type: 'email', subject: 'Hello' })),
});

/** Help Scout mailbox webhooks. @publicApi */
export const helpscoutProvider = provider;

/**
 * Help Scout: `X-HelpScout-Signature` (HMAC-SHA1) over the body, the event in `X-HelpScout-Event`.
 * @publicApi
 * @example endpoints: { helpscout: helpscout({ secret: process.env.HELPSCOUT_WEBHOOK_SECRET }) }
 */
export const helpscout = preset;
