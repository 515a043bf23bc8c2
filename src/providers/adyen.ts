import { randomBytes } from 'node:crypto';
import { BodyFieldsScheme } from '../core/engines/body-fields.engine';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Adyen's standard (payment) webhooks carry the signature in the body, at
 * `notificationItems[0].NotificationRequestItem.additionalData.hmacSignature`: base64 HMAC-SHA256
 * of eight fields of the item joined with `:` (a missing one is empty), keyed with the hex-DECODED
 * HMAC key. It does not cover the rest of the item (`eventDate`, other `additionalData`), and no
 * timestamp or event id is signed; retries are identical, so the body itself is deduplicated. A
 * notification with more than one item is refused: the others would be unsigned. (The Balance
 * Platform and Management webhooks sign the body in a header instead: `adyenPlatform`.)
 */
const adyenScheme = () =>
  new BodyFieldsScheme({
    name: 'adyen',
    fieldsIn: 'notificationItems.0.NotificationRequestItem',
    template:
      '{pspReference}:{originalReference}:{merchantAccountCode}:{merchantReference}:{amount.value}:{amount.currency}:{eventCode}:{success}',
    signatureField: 'additionalData.hmacSignature',
    encoding: 'base64',
    keyEncoding: 'hex',
    looseFields: true,
  });

const reference = () => randomBytes(8).toString('hex').toUpperCase();

const { provider, preset } = sharedSecretProvider({
  id: 'adyen',
  displayName: 'Adyen',
  docsUrl: 'https://docs.adyen.com/development-resources/webhooks/verify-hmac-signatures/',
  presetName: 'adyen',
  secretOption: 'hmacKey',
  signsBody: false,
  verification:
    'body `additionalData.hmacSignature`: base64 HMAC-SHA256 of 8 item fields joined with `:`, hex-decoded HMAC key',
  eventType: { bodyField: 'notificationItems.0.NotificationRequestItem.eventCode' },
  vectors: 'verified',
  scheme: adyenScheme,
  generateSecret: () => randomBytes(32).toString('hex').toUpperCase(),
  // sign() writes additionalData.hmacSignature into the item.
  sampleEvent: jsonEvent(() => ({
    live: 'false',
    notificationItems: [
      {
        NotificationRequestItem: {
          additionalData: {},
          amount: { currency: 'EUR', value: 1000 },
          eventCode: 'AUTHORISATION',
          eventDate: new Date().toISOString(),
          merchantAccountCode: 'YOUR_MERCHANT_ACCOUNT',
          merchantReference: `order-${reference()}`,
          pspReference: reference(),
          paymentMethod: 'visa',
          reason: '',
          success: 'true',
        },
      },
    ],
  })),
});

/** Adyen standard (payment) webhooks. @publicApi */
export const adyenProvider = provider;

/**
 * Adyen payment webhooks: the HMAC of the notification item's fields, in the body.
 * @publicApi
 * @example endpoints: { adyen: adyen({ hmacKey: process.env.ADYEN_HMAC_KEY }) }
 */
export const adyen = preset;
