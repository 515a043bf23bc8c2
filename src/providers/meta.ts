import { randomInt } from 'node:crypto';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { DEFAULT_VERIFY_TOKEN_SECRET, TokenEchoStrategy } from '../core/challenges/token-echo.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { answeredWithText } from './challenge-answers';
import { challengeOptions, type ProviderChallengeOptions } from './challenges/provider-challenge-options';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, random32Hex, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ChallengeRequestInput, type WebhookProvider } from './provider';

/**
 * Meta (Facebook, Messenger, Instagram, WhatsApp Cloud API): `X-Hub-Signature-256: sha256=<hex
 * HMAC-SHA256 of the body>`, keyed with the App Secret. Meta signs the escaped-unicode payload it
 * sends, which is the raw body as received; it is never re-serialised. No timestamp, no message id.
 * The legacy SHA-1 `X-Hub-Signature` is not accepted.
 */
const SIGNATURE: HmacSchemeOptions = { name: 'meta', header: 'x-hub-signature-256', prefix: 'sha256=' };

/** @publicApi */
export interface VerifyTokenChallengeOptions extends ProviderChallengeOptions {
  /**
   * The named secret holding the verify token you entered in the provider's dashboard (seed it with
   * the endpoint's `namedSecrets`, rotate it through the admin API).
   * @default 'verify-token'
   */
  readonly secretName?: string;
}

/**
 * Meta's subscription check for Facebook, Messenger, Instagram and WhatsApp Cloud API webhooks: a
 * `GET` with `hub.mode=subscribe`, `hub.challenge` and `hub.verify_token`. The verify token is
 * compared in constant time with the named secret `verify-token`; on a match the raw
 * `hub.challenge` is echoed as `text/plain` with `200`, otherwise the check is refused (401).
 * @publicApi
 */
export function metaChallenge(options: VerifyTokenChallengeOptions = {}): ChallengeStrategy {
  return hubSubscribeChallenge(options, 'text');
}

/**
 * The `GET ?hub.mode=subscribe&hub.challenge=…&hub.verify_token=…` check Meta and Strava send: the
 * verify token compared in constant time with the named secret, the challenge echoed as `respondWith`.
 * @internal
 */
export function hubSubscribeChallenge(
  options: VerifyTokenChallengeOptions,
  respondWith: 'text' | { readonly json: string },
): ChallengeStrategy {
  return new TokenEchoStrategy({
    match: { method: 'GET', query: { 'hub.mode': 'subscribe' } },
    token: { from: 'query', name: 'hub.challenge' },
    verifyToken: {
      field: { from: 'query', name: 'hub.verify_token' },
      secretName: options.secretName ?? DEFAULT_VERIFY_TOKEN_SECRET,
    },
    respondWith,
    ...challengeOptions(options, false),
  });
}

/** @publicApi */
export interface MetaPresetOptions extends PresetOptions {
  /** The App Secret (App Dashboard → Settings → Basic), or several during a rotation. */
  readonly appSecret?: SecretOrSecrets;
  /**
   * The Verify Token you typed in the webhook settings, checked by the subscription challenge.
   * Stored as the named secret `verify-token`, rotatable through the admin API.
   */
  readonly verifyToken?: SecretOrSecrets;
}

function metaFamily(provider: string, options: MetaPresetOptions): WebhookEndpointDefinition {
  return definePreset(
    {
      provider,
      scheme: metaScheme(),
      secrets: options.appSecret,
      generateSecret: random32Hex, // a Meta app secret is 32 hex digits
      challenge: metaChallenge(),
      namedSecrets: { [DEFAULT_VERIFY_TOKEN_SECRET]: options.verifyToken },
    },
    options,
  );
}

/**
 * Meta webhooks (Facebook Pages, Messenger, …): `X-Hub-Signature-256` with the App Secret, no
 * timestamp or message id, and `metaChallenge()` for the `hub.mode=subscribe` check with the
 * verify token.
 * @publicApi
 * @example endpoints: { meta: meta({ appSecret: env.META_APP_SECRET, verifyToken: env.META_VERIFY_TOKEN }) }
 */
export function meta(options: MetaPresetOptions = {}): WebhookEndpointDefinition {
  return metaFamily('meta', options);
}

/** WhatsApp Cloud API webhooks: the {@link meta} scheme and challenge, recorded as `whatsapp`. @publicApi */
export function whatsapp(options: MetaPresetOptions = {}): WebhookEndpointDefinition {
  return metaFamily('whatsapp', options);
}

/** Instagram webhooks: the {@link meta} scheme and challenge, recorded as `instagram`. @publicApi */
export function instagram(options: MetaPresetOptions = {}): WebhookEndpointDefinition {
  return metaFamily('instagram', options);
}

const metaScheme = () => new HmacScheme(SIGNATURE);

/** What the three presets share: one scheme, one challenge, one secret format. */
const family = {
  docsUrl: 'https://developers.facebook.com/docs/graph-api/webhooks/getting-started',
  presetOptions: '{ appSecret, verifyToken }',
  verification: '`X-Hub-Signature-256: sha256=` hex HMAC-SHA256 of the body, keyed with the App Secret',
  challenge: '`metaChallenge()`: GET `hub.mode=subscribe` + `hub.verify_token` → `hub.challenge` as text',
  // Meta batches changes under `entry[]`; `object` names what they are about (`page`, `instagram`, …).
  eventType: { bodyField: 'object' },
  scheme: metaScheme,
  testKey: () => {
    const secret = random32Hex();
    return { secret, signingKey: secret };
  },
  challengeRequest: ({ verifyToken }: ChallengeRequestInput) => {
    const challenge = String(randomInt(1_000_000_000)); // Meta's are decimal numbers
    return {
      method: 'GET',
      query: { 'hub.mode': 'subscribe', 'hub.challenge': challenge, 'hub.verify_token': verifyToken ?? '' },
      headers: {},
      check: answeredWithText(challenge),
    };
  },
} satisfies Partial<WebhookProvider<MetaPresetOptions>>;

const json = (event: unknown) => ({ contentType: 'application/json', body: JSON.stringify(event) });
const now = () => Math.floor(Date.now() / 1000);
/** A Graph API object id: 15 decimal digits. */
const numericId = () => String(randomInt(1e14, 2e14));

/** Facebook Pages, Messenger and the rest of the Graph API webhooks. @publicApi */
export const metaProvider = defineProvider<MetaPresetOptions>({
  ...family,
  id: 'meta',
  vectors: 'self-computed',
  displayName: 'Meta',
  presetName: 'meta',
  preset: meta,
  sampleEvent: () => json({ object: 'page', entry: [{ id: numericId(), time: now(), changes: [{ field: 'feed' }] }] }),
});

/** The WhatsApp Cloud API. @publicApi */
export const whatsappProvider = defineProvider<MetaPresetOptions>({
  ...family,
  id: 'whatsapp',
  vectors: 'self-computed',
  displayName: 'WhatsApp',
  presetName: 'whatsapp',
  preset: whatsapp,
  sampleEvent: () =>
    json({
      object: 'whatsapp_business_account',
      entry: [{ id: numericId(), changes: [{ field: 'messages', value: { messaging_product: 'whatsapp' } }] }],
    }),
});

/** Instagram. @publicApi */
export const instagramProvider = defineProvider<MetaPresetOptions>({
  ...family,
  id: 'instagram',
  vectors: 'self-computed',
  displayName: 'Instagram',
  presetName: 'instagram',
  preset: instagram,
  sampleEvent: () =>
    json({ object: 'instagram', entry: [{ id: numericId(), time: now(), changes: [{ field: 'comments' }] }] }),
});
