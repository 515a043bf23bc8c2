import { TwilioScheme } from '../core/schemes/twilio.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, random32Hex, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface TwilioPresetOptions extends PresetOptions {
  /** The account's Auth Token (primary, and the secondary while you promote it), oldest first. */
  readonly authToken?: SecretOrSecrets;
  /**
   * The public URL Twilio calls, as configured in the console (scheme, host, port and path). Twilio
   * signs the URL it requested; behind a proxy the Host header and scheme cannot be trusted, so
   * they come from here. The query string is read from the request as received.
   */
  readonly url: string;
}

/**
 * Twilio webhooks (SMS, Voice, status callbacks): `X-Twilio-Signature` over the URL and the
 * sorted form parameters, or over the URL with `bodySHA256` for JSON bodies; the default-port
 * variants are accepted as Twilio's SDKs do. Deliveries are deduplicated on the signed URL and
 * parameters (`I-Twilio-Idempotency-Token` is unsigned, so it is not trusted as the id).
 * @publicApi
 * @example twilio({ authToken: env.TWILIO_AUTH_TOKEN, url: 'https://api.example.com/hooks/sms' })
 */
export function twilio(options: TwilioPresetOptions): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'twilio',
      scheme: new TwilioScheme({ url: options?.url }),
      secrets: options?.authToken,
      generateSecret: random32Hex, // a Twilio auth token is 32 hex digits
    },
    options,
  );
}
