import { randomBytes } from 'node:crypto';
import { UrlParamsScheme, type UrlParamsSchemeOptions } from '../core/engines/url-params.engine';
import { random32Hex, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { sharedSecretProvider } from './provider-kit';

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
 * Twilio: `X-Twilio-Signature: <base64 HMAC-SHA1 of URL + sorted form parameters>`, keyed with the
 * account's Auth Token; a JSON body is covered by the `bodySHA256` query parameter (its hex SHA-256)
 * instead. The URL is tried with and without the default port, as Twilio's SDKs do.
 * `I-Twilio-Idempotency-Token` is not signed, so it is not trusted as the message id.
 */
const TWILIO_SIGNATURE: Omit<UrlParamsSchemeOptions, 'url'> = {
  name: 'twilio',
  header: 'x-twilio-signature',
  algorithm: 'sha1',
  encoding: 'base64',
  bodyHashQuery: 'bodySHA256',
  unsignedIdHeader: 'i-twilio-idempotency-token',
};

const twilioScheme = (settings: ProviderSettings = {}) =>
  new UrlParamsScheme({ ...TWILIO_SIGNATURE, url: settings.url });

const { provider, preset } = sharedSecretProvider<'authToken', TwilioPresetOptions>({
  id: 'twilio',
  vectors: 'verified',
  displayName: 'Twilio',
  docsUrl: 'https://www.twilio.com/docs/usage/webhooks/webhooks-security',
  presetName: 'twilio',
  secretOption: 'authToken',
  generateSecret: random32Hex, // a Twilio auth token is 32 hex digits
  urlOption: 'url',
  presetOptions: '{ authToken, url }',
  verification: '`X-Twilio-Signature` base64 HMAC-SHA1 over URL + sorted params, or `bodySHA256`',
  // No messageId: `I-Twilio-Idempotency-Token` is unsigned; deliveries dedupe on the signed URL + parameters.
  eventType: { bodyFields: ['SmsStatus', 'MessageStatus', 'CallStatus'] },
  scheme: twilioScheme,
  sampleEvent: () => {
    const sid = (prefix: string) => prefix + randomBytes(16).toString('hex');
    const form = new URLSearchParams({
      MessageSid: sid('SM'),
      AccountSid: sid('AC'),
      From: '+15005550006',
      To: '+15005550001',
      Body: 'Hookwarden test',
      SmsStatus: 'received',
    });
    return { contentType: 'application/x-www-form-urlencoded', body: form.toString() };
  },
});

/** @publicApi */
export const twilioProvider = provider;

/**
 * Twilio webhooks (SMS, Voice, status callbacks): `X-Twilio-Signature` over the URL and the
 * sorted form parameters, or over the URL with `bodySHA256` for JSON bodies; the default-port
 * variants are accepted as Twilio's SDKs do. Deliveries are deduplicated on the signed URL and
 * parameters (`I-Twilio-Idempotency-Token` is unsigned, so it is not trusted as the id).
 * @publicApi
 * @example twilio({ authToken: env.TWILIO_AUTH_TOKEN, url: 'https://api.example.com/hooks/sms' })
 */
export const twilio: (options: TwilioPresetOptions) => WebhookEndpointDefinition = preset;
