import { randomBytes, randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Authorize.net signs the raw body in `X-ANET-Signature: sha512=<HEX>` (upper-case hex, read in
 * any case) with HMAC-SHA512 keyed with the Signature Key as its ASCII text: unlike its SIM/DPM
 * hashes, the 128 hex digits are NOT decoded. No timestamp is signed. A new Signature Key leaves the
 * old one valid for 24 h: configure both while it rotates.
 */
const authorizeNetScheme = () =>
  new HmacScheme({
    name: 'authorize-net',
    header: 'x-anet-signature',
    prefix: 'sha512=',
    algorithm: 'sha512',
    idField: 'notificationId',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'authorize-net',
  displayName: 'Authorize.net',
  docsUrl: 'https://developer.authorize.net/api/reference/features/webhooks.html',
  presetName: 'authorizeNet',
  secretOption: 'signatureKey',
  verification: '`X-ANET-Signature: sha512=…`: HMAC-SHA512 of the body, keyed with the Signature Key as ASCII text',
  messageId: { bodyField: 'notificationId' },
  eventType: { bodyField: 'eventType' },
  vectors: 'verified',
  scheme: authorizeNetScheme,
  generateSecret: () => randomBytes(64).toString('hex').toUpperCase(),
  sampleEvent: jsonEvent(() => ({
    notificationId: randomUUID(),
    eventType: 'net.authorize.payment.authcapture.created',
    eventDate: new Date().toISOString(),
    webhookId: randomUUID(),
    payload: { responseCode: 1, authAmount: 1.1, entityName: 'transaction', id: '120011377052' },
  })),
});

/** Authorize.net webhooks. @publicApi */
export const authorizeNetProvider = provider;

/**
 * Authorize.net: `X-ANET-Signature` over the body with the Signature Key (as text), `notificationId`
 * as the message id.
 * @publicApi
 * @example endpoints: { anet: authorizeNet({ signatureKey: process.env.ANET_SIGNATURE_KEY }) }
 */
export const authorizeNet = preset;
