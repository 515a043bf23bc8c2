import { randomInt, randomUUID } from 'node:crypto';
import { DigestScheme } from '../core/engines/digest.engine';
import { randomAlphanumeric } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Midtrans payment notifications: `signature_key` in the JSON body = hex SHA-512 of `order_id` +
 * `status_code` + `gross_amount` + the Server Key, each field exactly as sent (`100000.00`). A plain
 * hash, not an HMAC, and it covers only those three fields: the weaker scheme. `transaction_status`
 * and the rest are not authenticated, so Midtrans recommends confirming with its status API before
 * acting. No timestamp; a repeated notification is recognised by its content.
 */
const midtransScheme = () =>
  new DigestScheme({
    name: 'midtrans',
    signature: { bodyField: 'signature_key' },
    algorithm: 'sha512',
    template: '{field:order_id}{field:status_code}{field:gross_amount}{secret}',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'midtrans',
  displayName: 'Midtrans',
  docsUrl: 'https://docs.midtrans.com/reference/handle-notifications',
  presetName: 'midtrans',
  secretOption: 'serverKey',
  verification:
    '`signature_key` in the body: plain hex SHA-512 of order_id + status_code + gross_amount + Server Key (covers only those fields)',
  eventType: { bodyField: 'transaction_status' },
  signsBody: false,
  vectors: 'self-computed',
  scheme: midtransScheme,
  generateSecret: () => `SB-Mid-server-${randomAlphanumeric(24)}`,
  sampleEvent: jsonEvent(() => ({
    transaction_time: new Date().toISOString().replace('T', ' ').slice(0, 19),
    transaction_status: 'settlement',
    transaction_id: randomUUID(),
    status_code: '200',
    payment_type: 'bank_transfer',
    order_id: `order-${randomInt(1_000_000_000)}`,
    gross_amount: '100000.00',
    fraud_status: 'accept',
  })),
});

/** Midtrans payment notifications. @publicApi */
export const midtransProvider = provider;

/**
 * Midtrans payment notifications: the SHA-512 `signature_key` in the body (a weak digest that covers
 * three fields: confirm the status with Midtrans' API before acting on it).
 * @publicApi
 * @example endpoints: { midtrans: midtrans({ serverKey: process.env.MIDTRANS_SERVER_KEY }) }
 */
export const midtrans = preset;
