import { randomBytes } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { StatusOnlyStrategy } from '../core/challenges/status-only.strategy';
import { urlParamsSignature, type UrlParamsScheme } from '../core/engines/url-params.engine';
import { assertPublicUrl } from '../core/engines/scheme-support';
import type { ProviderChallengeOptions } from './challenges/provider-challenge-options';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';
import { sameKey } from './provider-kit';

/**
 * Mailchimp Transactional (Mandrill): `X-Mandrill-Signature` is the base64 HMAC-SHA1 of the webhook
 * URL exactly as registered followed by each POST parameter as name + value, sorted by name (in
 * practice the one form field `mandrill_events`), keyed with the webhook's key as UTF-8: Twilio's
 * construction, so the URL-and-parameters engine. The URL is configuration, never rebuilt from the
 * request. Nothing is timestamped and a batch carries several events, so deliveries are
 * deduplicated on the signed content.
 */
function mandrillScheme(settings?: ProviderSettings): UrlParamsScheme {
  return urlParamsSignature({
    name: 'mandrill',
    header: 'x-mandrill-signature',
    // Named after the preset's option, so that a missing one is reported as such.
    url: assertPublicUrl(settings?.url, 'url', 'mandrill'),
    // Mandrill signs the URL as registered: no default-port variants.
    portVariants: false,
  });
}

/**
 * Mandrill's check when a webhook is added or edited: a `HEAD` to the URL, which must answer `200`.
 * It carries no body and no signature. Route it with `@Head()`.
 * @publicApi
 */
export function mandrillChallenge(options: Pick<ProviderChallengeOptions, 'signed'> = {}): ChallengeStrategy {
  return new StatusOnlyStrategy({ match: { method: 'HEAD' }, status: 200, signed: options.signed ?? false });
}

/** @publicApi */
export interface MandrillPresetOptions extends PresetOptions {
  /** The webhook's key (Settings → Webhooks), or several during a rotation. */
  readonly secret?: SecretOrSecrets;
  /** The webhook URL exactly as registered with Mandrill, query string included. */
  readonly url: string;
}

/**
 * Mailchimp Transactional (Mandrill) webhooks: base64 HMAC-SHA1 `X-Mandrill-Signature` over the
 * registered URL + sorted form parameters, and `mandrillChallenge()` for the `HEAD` check.
 * @publicApi
 * @example mandrill({ secret: env.MANDRILL_WEBHOOK_KEY, url: 'https://api.example.com/hooks/mandrill' })
 */
export function mandrill(options: MandrillPresetOptions): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'mandrill',
      scheme: mandrillScheme({ url: options?.url }),
      secrets: options?.secret,
      generateSecret: randomUrlSafeSecret,
      challenge: mandrillChallenge(),
    },
    options,
  );
}

/** Mailchimp Transactional (Mandrill) webhooks. @publicApi */
export const mandrillProvider = defineProvider<MandrillPresetOptions>({
  id: 'mandrill',
  displayName: 'Mailchimp Transactional (Mandrill)',
  docsUrl: 'https://mailchimp.com/developer/transactional/guides/track-respond-activity-webhooks/',
  presetName: 'mandrill',
  presetOptions: '{ secret, url }',
  verification: '`X-Mandrill-Signature`: base64 HMAC-SHA1 of the registered URL + sorted form parameters',
  challenge: '`mandrillChallenge()`: HEAD → 200',
  vectors: 'self-computed',
  requires: ['url'],
  scheme: mandrillScheme,
  preset: mandrill,
  testKey: () => sameKey(randomUrlSafeSecret()),
  sampleEvent: () => ({
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({
      mandrill_events: JSON.stringify([
        { event: 'send', _id: randomBytes(16).toString('hex'), ts: Math.floor(Date.now() / 1000), msg: {} },
      ]),
    }).toString(),
  }),
  challengeRequest: () => ({
    method: 'HEAD',
    headers: {},
    check: ({ status }) => (status === 200 ? undefined : 'expected 200'),
  }),
});
