import { HmacScheme } from '../core/engines/hmac.engine';
import { decodeStandardSecret, generateStandardSecret } from '../core/secret';
import type { SecretInput, WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

/** @publicApi */
export interface StandardWebhooksOptions {
  /**
   * How far, in seconds, the signed timestamp may be from the time of receipt, in either direction.
   * @default 300
   */
  toleranceSeconds?: number;
  /**
   * The header family: `webhook` (`webhook-id`, …) per the spec, or `svix` (`svix-id`, …).
   * @default 'webhook'
   */
  headerPrefix?: 'webhook' | 'svix';
}

const TOLERANCE_SECONDS = 300;

/**
 * Standard Webhooks v1 (and Svix): HMAC-SHA256 over `id.timestamp.body`, keyed with the decoded
 * `whsec_` secret (24–64 bytes of base64, the prefix optional), sent as space-separated
 * `v1,<base64>` entries; entries of other versions (`v1a`, `v2`) are skipped, as the spec asks.
 * The id may hold no `.` or `,`, so that the string to sign has one reading.
 */
function standardScheme(family: 'webhook' | 'svix', settings: ProviderSettings = {}): HmacScheme {
  return standardWebhooksScheme(family === 'svix' ? 'svix' : 'standard-webhooks', { family, ...settings });
}

/**
 * The catalogue fields of a provider that sends plain Standard Webhooks (`webhook`) or Svix (`svix`)
 * headers keyed with the decoded `whsec_` secret (OpenAI, Clerk, …): spread into its spec.
 * @internal
 */
export function standardWebhooksSigning(family: 'webhook' | 'svix') {
  const title = family === 'svix' ? 'Svix' : 'Standard Webhooks';
  return {
    verification: `${title}: \`${family}-signature: v1,\` base64 HMAC-SHA256 of \`id.timestamp.body\`, decoded \`whsec_\``,
    messageId: { header: `${family}-id` },
    toleranceSeconds: TOLERANCE_SECONDS,
    scheme: (settings?: ProviderSettings) => standardScheme(family, settings),
    generateSecret: () => generateStandardSecret(),
  };
}

/**
 * The Standard Webhooks scheme under a provider's name (Lithic, Increase, Polar send it): `family`'s
 * headers, keyed with the decoded `whsec_` secret or, with `utf8Key`, with its whole text as is.
 * @internal
 */
export function standardWebhooksScheme(
  name: string,
  options: { family?: 'webhook' | 'svix'; utf8Key?: boolean; toleranceSeconds?: number } = {},
): HmacScheme {
  const family = options.family ?? 'webhook';
  return new HmacScheme({
    name,
    header: `${family}-signature`,
    prefix: 'v1,',
    separator: ' ',
    encoding: 'base64',
    template: '{id}.{timestamp}.{body}',
    ...(options.utf8Key ? { keyEncoding: 'utf8' } : { decodeKey: decodeStandardSecret }),
    idHeader: `${family}-id`,
    idExcludes: '.,',
    timestampHeader: `${family}-timestamp`,
    toleranceSeconds: options.toleranceSeconds ?? TOLERANCE_SECONDS,
  });
}

/** @publicApi */
export interface StandardWebhooksPresetOptions extends StandardWebhooksOptions, PresetOptions {
  /** One secret (`whsec_…`) or several live ones during a rotation, oldest first. */
  secret?: SecretInput | readonly SecretInput[];
}

/**
 * An endpoint that receives Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature`), the format used by Svix, Resend, Clerk, Lemon Squeezy and others.
 * @publicApi
 * @example endpoints: { billing: standardWebhooks({ secret: process.env.BILLING_SECRET }) }
 */
export function standardWebhooks(options: StandardWebhooksPresetOptions = {}): WebhookEndpointDefinition {
  const { secret, also, challenge, dedupeWindowSeconds, headerPrefix, toleranceSeconds } = options;
  return definePreset(
    {
      provider: 'standard-webhooks',
      scheme: standardScheme(headerPrefix ?? 'webhook', { toleranceSeconds }),
      secrets: secret,
      generateSecret: () => generateStandardSecret(),
    },
    { also, challenge, dedupeWindowSeconds },
  );
}

/**
 * An endpoint that receives Svix deliveries (`svix-id`, `svix-timestamp`, `svix-signature`).
 * @publicApi
 */
export function svix(options: Omit<StandardWebhooksPresetOptions, 'headerPrefix'> = {}): WebhookEndpointDefinition {
  return { ...standardWebhooks({ ...options, headerPrefix: 'svix' }), provider: 'svix' };
}

/**
 * Signs a message the Standard Webhooks way and returns the `webhook-signature` value
 * (`v1,<base64>`). Useful for tests and for sending deliveries; the guard never signs.
 * @publicApi
 */
export function signStandardWebhook(input: {
  id: string;
  timestamp: number;
  body: string | Buffer;
  secret: string | Buffer;
}): string {
  const body = Buffer.isBuffer(input.body) ? input.body : Buffer.from(input.body);
  const signed = standardScheme('webhook').sign({
    body,
    key: input.secret,
    timestamp: input.timestamp,
    id: input.id,
    contentType: 'application/json',
  });
  return signed.headers['webhook-signature'];
}

/** What Standard Webhooks and Svix share: one scheme in two header families, one secret format. */
const family = {
  displayName: 'Standard Webhooks',
  presetOptions: '{ secret }',
  verification:
    '`webhook-signature: v1,` base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the decoded `whsec_`, ±300 s',
  toleranceSeconds: TOLERANCE_SECONDS,
  testKey: () => {
    const secret = generateStandardSecret();
    return { secret, signingKey: secret };
  },
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({ type: 'hookwarden.test', timestamp: new Date().toISOString(), data: {} }),
  }),
  eventType: { bodyField: 'type' },
};

/** Standard Webhooks, the format of Resend, Clerk, Lemon Squeezy and others. @publicApi */
export const standardWebhooksProvider = defineProvider<StandardWebhooksPresetOptions>({
  ...family,
  id: 'standard-webhooks',
  vectors: 'verified',
  docsUrl: 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md',
  presetName: 'standardWebhooks',
  messageId: { header: 'webhook-id' },
  scheme: (settings) => standardScheme('webhook', settings),
  preset: standardWebhooks,
});

/** Svix: Standard Webhooks under `svix-*` headers. @publicApi */
export const svixProvider = defineProvider<Omit<StandardWebhooksPresetOptions, 'headerPrefix'>>({
  ...family,
  id: 'svix',
  vectors: 'verified',
  displayName: 'Svix',
  docsUrl: 'https://docs.svix.com/receiving/verifying-payloads/how-manual',
  presetName: 'svix',
  verification:
    '`svix-signature: v1,` base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the decoded `whsec_`, ±300 s',
  messageId: { header: 'svix-id' },
  scheme: (settings) => standardScheme('svix', settings),
  preset: svix,
});
