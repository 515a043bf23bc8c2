import { randomBytes } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { SignedHeadersScheme } from '../core/engines/signed-headers.engine';
import { assertPublicUrl } from '../core/engines/scheme-support';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Contentful webhooks with request verification: `x-contentful-signature` = hex HMAC-SHA256 of the
 * canonical request `method \n path \n headers \n body` (the request's own method), the headers being those listed in
 * `x-contentful-signed-headers` (always with itself and `x-contentful-timestamp`, in milliseconds).
 * The official toolkit allows 30 s, one-sided; here 30 s both ways (set `toleranceSeconds` to widen it).
 */
const TOLERANCE_SECONDS = 30;

function contentfulScheme(settings: ProviderSettings = {}): SignedHeadersScheme {
  return new SignedHeadersScheme({
    name: 'contentful',
    header: 'x-contentful-signature',
    signedHeadersHeader: 'x-contentful-signed-headers',
    timestampHeader: 'x-contentful-timestamp',
    timestampFormat: 'unix-milliseconds',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
    url: assertPublicUrl(settings.url, 'url', 'contentful'),
    idHeader: 'x-contentful-idempotency-key',
    eventTypeHeader: 'x-contentful-topic',
    checkSecret: (secret) => {
      // Contentful's constraint on signing secrets: exactly 64 of these characters.
      if (!/^[0-9a-zA-Z+/=_-]{64}$/.test(secret.toString())) {
        throw new WebhookConfigurationError(
          'A Contentful signing secret is exactly 64 characters of [0-9a-zA-Z+/=_-].',
        );
      }
    },
  });
}

/** @publicApi */
export interface ContentfulPresetOptions extends PresetOptions {
  /** The webhook's signing secret (64 characters), or several during a rotation. */
  readonly secret?: SecretOrSecrets;
  /** The webhook URL exactly as configured in Contentful: its path and query are signed. */
  readonly url: string;
  /** @default 30 */
  readonly toleranceSeconds?: number;
}

const { provider, preset } = sharedSecretProvider<'secret', ContentfulPresetOptions>({
  id: 'contentful',
  displayName: 'Contentful',
  docsUrl: 'https://www.contentful.com/developers/docs/webhooks/request-verification/',
  presetName: 'contentful',
  secretOption: 'secret',
  presetOptions: '{ secret, url }',
  verification:
    '`x-contentful-signature`: hex HMAC-SHA256 of the canonical request (method, path, the listed signed headers, body), ms timestamp ±30 s',
  messageId: { header: 'x-contentful-idempotency-key' },
  eventType: { header: 'x-contentful-topic' },
  toleranceSeconds: TOLERANCE_SECONDS,
  requires: ['url'],
  vectors: 'verified',
  scheme: contentfulScheme,
  fromOptions: (options) => ({
    scheme: contentfulScheme({ url: options.url, toleranceSeconds: options.toleranceSeconds }),
  }),
  generateSecret: () => randomAlphanumeric(64),
  sampleEvent: jsonEvent(() => ({
    sys: { id: randomBytes(11).toString('base64url'), type: 'Entry' },
    fields: { title: { 'en-US': 'Hello from hookwarden' } },
  })),
});

/** Contentful webhooks (request verification). @publicApi */
export const contentfulProvider = provider;

/**
 * Contentful webhooks: the HMAC of the canonical request and its listed signed headers.
 * @publicApi
 * @example endpoints: { contentful: contentful({ secret: process.env.CONTENTFUL_SIGNING_SECRET, url: 'https://example.com/webhooks/contentful' }) }
 */
export const contentful = preset;
