import { SendGridScheme } from '../core/schemes/sendgrid.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';

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
 * Twilio SendGrid's signed Event Webhook: ECDSA P-256 over timestamp + body with the verification
 * key. A delivery is a batch of events (each with its `sg_event_id`), so there is no single id.
 * @publicApi
 * @example endpoints: { sendgrid: sendgrid({ publicKey: process.env.SENDGRID_VERIFICATION_KEY }) }
 */
export function sendgrid(options: SendGridPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'sendgrid',
      scheme: new SendGridScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey(
        'SendGrid issues the verification key (Mail Settings → Signed Event Webhook): send it as `secret`.',
      ),
    },
    options,
  );
}
