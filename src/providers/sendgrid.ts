import { randomBytes } from 'node:crypto';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { sharedSecretProvider } from './provider-kit';

/** @publicApi */
export interface SendGridPresetOptions extends PresetOptions {
  /** The Event Webhook verification key (Mail Settings → Signed Event Webhook), base64 DER or PEM. */
  readonly publicKey?: SecretOrSecrets;
  /**
   * How far the signed timestamp may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Twilio SendGrid's signed Event Webhook: `X-Twilio-Email-Event-Webhook-Signature` is a base64 DER
 * ECDSA P-256/SHA-256 signature of `X-Twilio-Email-Event-Webhook-Timestamp` + body, checked with the
 * verification key (base64 DER, as SendGrid shows it, or PEM). SendGrid's library checks no window;
 * the timestamp is signed, so one refuses replays. `sign()` takes the private key as PEM.
 */
function sendgridScheme(settings: ProviderSettings = {}): AsymmetricScheme {
  return asymmetricSignature({
    name: 'sendgrid',
    algorithm: 'ecdsa-p256-sha256',
    header: 'x-twilio-email-event-webhook-signature',
    encoding: 'base64',
    template: '{timestamp}{body}',
    timestampHeader: 'x-twilio-email-event-webhook-timestamp',
    toleranceSeconds: settings.toleranceSeconds ?? 300,
    publicKey: { encoding: 'spki', label: 'A SendGrid verification key', hint: 'Mail Settings → Signed Event Webhook' },
  });
}

const { provider, preset } = sharedSecretProvider<'publicKey', SendGridPresetOptions>({
  id: 'sendgrid',
  vectors: 'verified',
  displayName: 'Twilio SendGrid',
  docsUrl:
    'https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features',
  presetName: 'sendgrid',
  secretOption: 'publicKey',
  generateSecret: providerIssuesKey(
    'SendGrid issues the verification key (Mail Settings → Signed Event Webhook): send it as `secret`.',
  ),
  verification:
    'ECDSA P-256/SHA-256 of timestamp + body in `X-Twilio-Email-Event-Webhook-Signature` (base64 DER), verification key',
  // A delivery is a batch: each event has its own `sg_event_id` and `event`, so neither is the delivery's.
  toleranceSeconds: 300,
  scheme: sendgridScheme,
  testKey: () => sendgridScheme().generateTestKey(),
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify([
      {
        email: 'test@example.com',
        timestamp: Math.floor(Date.now() / 1000),
        event: 'delivered',
        sg_event_id: randomBytes(16).toString('base64url'),
        sg_message_id: `${randomBytes(11).toString('base64url')}.filter0001.1.0`,
      },
    ]),
  }),
});

/** @publicApi */
export const sendgridProvider = provider;

/**
 * Twilio SendGrid's signed Event Webhook: ECDSA P-256 over timestamp + body with the verification
 * key. A delivery is a batch of events (each with its `sg_event_id`), so there is no single id.
 * @publicApi
 * @example endpoints: { sendgrid: sendgrid({ publicKey: process.env.SENDGRID_VERIFICATION_KEY }) }
 */
export const sendgrid = preset;
