import { MailgunScheme } from '../core/schemes/mailgun.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface MailgunPresetOptions extends PresetOptions {
  /** The HTTP webhook signing key (Settings → Webhooks), or several during a rotation. */
  readonly signingKey?: SecretOrSecrets;
  /**
   * How far the signed `timestamp` may be from the time of receipt.
   * @default 900
   */
  readonly toleranceSeconds?: number;
}

/**
 * Mailgun webhooks: the signature fields in the body (timestamp + token), a 15-minute window, and
 * the token as the message id so that a replayed token never reaches the handler twice.
 * @publicApi
 * @example endpoints: { mailgun: mailgun({ signingKey: process.env.MAILGUN_WEBHOOK_SIGNING_KEY }) }
 */
export function mailgun(options: MailgunPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'mailgun',
      scheme: new MailgunScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.signingKey,
    },
    options,
  );
}
