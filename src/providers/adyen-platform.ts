import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Adyen's Balance Platform, Management and Banking webhooks sign the raw body in `HmacSignature`
 * (base64 HMAC-SHA256). The HMAC key from the Customer Area is hex: it is hex-DECODED (third-party
 * code keying with the hex text computes another digest). No timestamp is signed. (Adyen's classic
 * payment webhooks sign 8 fields inside the body instead; they are not this preset.)
 */
const adyenPlatformScheme = () =>
  new HmacScheme({ name: 'adyen-platform', header: 'hmacsignature', encoding: 'base64', keyEncoding: 'hex' });

const { provider, preset } = sharedSecretProvider({
  id: 'adyen-platform',
  displayName: 'Adyen (Balance Platform, Management)',
  docsUrl: 'https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures/',
  presetName: 'adyenPlatform',
  secretOption: 'hmacKey',
  verification: '`HmacSignature`: base64 HMAC-SHA256 of the body, keyed with the hex-decoded HMAC key',
  eventType: { bodyField: 'type' },
  vectors: 'verified',
  scheme: adyenPlatformScheme,
  generateSecret: () => randomBytes(32).toString('hex').toUpperCase(),
  sampleEvent: jsonEvent(() => ({
    data: {
      balancePlatform: 'YOUR_BALANCE_PLATFORM',
      accountHolder: { id: `AH${randomBytes(12).toString('hex').toUpperCase()}`, status: 'active' },
    },
    environment: 'test',
    timestamp: new Date().toISOString(),
    type: 'balancePlatform.accountHolder.created',
  })),
});

/** Adyen Balance Platform and Management webhooks. @publicApi */
export const adyenPlatformProvider = provider;

/**
 * Adyen Balance Platform / Management: `HmacSignature` over the body with the hex-decoded HMAC key.
 * @publicApi
 * @example endpoints: { adyen: adyenPlatform({ hmacKey: process.env.ADYEN_HMAC_KEY }) }
 */
export const adyenPlatform = preset;
