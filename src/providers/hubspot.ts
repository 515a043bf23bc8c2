import { randomInt, randomUUID } from 'node:crypto';
import { DigestScheme } from '../core/engines/digest.engine';
import { HmacScheme } from '../core/engines/hmac.engine';
import { assertPublicUrl } from '../core/engines/scheme-support';
import type { PresetOptions, SecretOrSecrets } from './preset-options';
import type { ProviderSettings } from './provider';
import { sharedSecretProvider } from './provider-kit';

/**
 * HubSpot signs with the app's client secret (UTF-8). v3 (`X-HubSpot-Signature-v3`): base64
 * HMAC-SHA256 of `POST` + URI + body + `X-HubSpot-Request-Timestamp` (milliseconds; HubSpot refuses
 * over 5 minutes old, here 300 s both ways), with the URI's `%3A %2F %3F %40 %21 %24 %27 %28 %29
 * %2A %2C %3B` decoded. v1 and v2 (`X-HubSpot-Signature` + `X-HubSpot-Signature-Version`) are plain
 * SHA-256 digests of secret + body (v1) or secret + `POST` + URI + body (v2): the weaker schemes,
 * unsigned in time, kept for apps that still read them.
 */
const TOLERANCE_SECONDS = 300;

/** The percent-escapes HubSpot decodes in the signed URI (and no others). */
const DECODED: Readonly<Record<string, string>> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

/** The URI as HubSpot v3 signs it: the listed escapes decoded, in either case, everything else as registered. */
export function hubspotSignedUri(url: string): string {
  return url.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (escape) => DECODED[escape.toUpperCase()]);
}

function hubspotScheme(settings: ProviderSettings = {}): HmacScheme {
  return new HmacScheme({
    name: 'hubspot',
    header: 'x-hubspot-signature-v3',
    encoding: 'base64',
    template: 'POST{url}{body}{timestamp}',
    url: hubspotSignedUri(assertPublicUrl(settings.url, 'url', 'hubspot')),
    timestampHeader: 'x-hubspot-request-timestamp',
    timestampFormat: 'unix-milliseconds',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
  });
}

const legacyScheme = (version: 'v1' | 'v2', settings: ProviderSettings = {}) =>
  new DigestScheme({
    name: `hubspot-${version}`,
    signature: { header: 'x-hubspot-signature' },
    requiredHeaders: { 'x-hubspot-signature-version': version },
    template: version === 'v1' ? '{secret}{body}' : '{secret}POST{url}{body}',
    ...(version === 'v2' ? { url: assertPublicUrl(settings.url, 'url', 'hubspot-v2') } : {}),
  });

/** @publicApi */
export interface HubspotPresetOptions extends PresetOptions {
  /** The app's client secret (Auth settings), or several during a rotation. */
  readonly clientSecret?: SecretOrSecrets;
  /** The webhook's target URL exactly as registered (v3 and v2 sign it). */
  readonly url: string;
  /** @default 300 */
  readonly toleranceSeconds?: number;
}

const events = () => ({
  contentType: 'application/json',
  body: JSON.stringify([
    {
      eventId: randomInt(1, 2 ** 31),
      subscriptionId: 12345,
      portalId: 62515,
      occurredAt: Date.now(),
      subscriptionType: 'contact.creation',
      attemptNumber: 0,
      objectId: randomInt(1, 2 ** 31),
      changeSource: 'CRM',
      correlationId: randomUUID(),
    },
  ]),
});

const common = {
  docsUrl: 'https://developers.hubspot.com/docs/api/webhooks/validating-requests',
  secretOption: 'clientSecret' as const,
  presetOptions: '{ clientSecret, url }',
  vectors: 'verified' as const,
  generateSecret: randomUUID,
  sampleEvent: events,
};

const v3 = sharedSecretProvider<'clientSecret', HubspotPresetOptions>({
  ...common,
  id: 'hubspot',
  displayName: 'HubSpot',
  presetName: 'hubspot',
  verification:
    "`X-HubSpot-Signature-v3`: base64 HMAC-SHA256 of `POST` + URI (HubSpot's escapes decoded) + body + ms timestamp, ±300 s",
  toleranceSeconds: TOLERANCE_SECONDS,
  requires: ['url'],
  scheme: hubspotScheme,
  fromOptions: (options) => ({
    scheme: hubspotScheme({ url: options.url, toleranceSeconds: options.toleranceSeconds }),
  }),
});

const v2 = sharedSecretProvider<'clientSecret', HubspotPresetOptions>({
  ...common,
  id: 'hubspot-v2',
  displayName: 'HubSpot (v2 signature)',
  presetName: 'hubspotV2',
  verification: '`X-HubSpot-Signature` (version v2): plain hex SHA-256 of secret + `POST` + URI + body; no timestamp',
  requires: ['url'],
  scheme: (settings) => legacyScheme('v2', settings),
  fromOptions: (options) => ({ scheme: legacyScheme('v2', { url: options.url }) }),
});

const v1 = sharedSecretProvider<'clientSecret', Omit<HubspotPresetOptions, 'url'>>({
  ...common,
  presetOptions: '{ clientSecret }',
  id: 'hubspot-v1',
  displayName: 'HubSpot (v1 signature)',
  presetName: 'hubspotV1',
  verification: '`X-HubSpot-Signature` (version v1): plain hex SHA-256 of secret + body; no timestamp',
  scheme: () => legacyScheme('v1'),
});

/** HubSpot webhooks, v3 signatures. @publicApi */
export const hubspotProvider = v3.provider;
/** HubSpot webhooks, legacy v2 signatures. @publicApi */
export const hubspotV2Provider = v2.provider;
/** HubSpot webhooks, legacy v1 signatures. @publicApi */
export const hubspotV1Provider = v1.provider;

/**
 * HubSpot webhooks: the v3 signature (HMAC over method, URI, body and a ms timestamp, 5 minutes).
 * @publicApi
 * @example endpoints: { hubspot: hubspot({ clientSecret: process.env.HUBSPOT_CLIENT_SECRET, url: 'https://example.com/webhooks/hubspot' }) }
 */
export const hubspot = v3.preset;

/** HubSpot's legacy v2 signature: a plain SHA-256 digest of secret + `POST` + URI + body (weaker; prefer v3). @publicApi */
export const hubspotV2 = v2.preset;

/** HubSpot's legacy v1 signature: a plain SHA-256 digest of secret + body (weaker; prefer v3). @publicApi */
export const hubspotV1 = v1.preset;
