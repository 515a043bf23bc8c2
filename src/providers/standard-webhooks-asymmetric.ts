import { randomBytes } from 'node:crypto';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';

/** @publicApi */
export interface StandardWebhooksAsymmetricPresetOptions extends PresetOptions {
  /** The sender's public key, `whpk_…` (or several during a rotation, oldest first). */
  readonly publicKey?: SecretOrSecrets;
  /**
   * How far, in seconds, the signed timestamp may be from the time of receipt, in either direction.
   * @default 300
   */
  readonly toleranceSeconds?: number;
  /**
   * The header family: `webhook` (`webhook-id`, …) per the spec, or `svix` (`svix-id`, …).
   * @default 'webhook'
   */
  readonly headerPrefix?: 'webhook' | 'svix';
}

/** What the scheme is built from: the header family besides the window. */
interface StandardWebhooksAsymmetricSettings extends ProviderSettings {
  readonly headerPrefix?: 'webhook' | 'svix';
}

/**
 * Standard Webhooks `v1a`: an Ed25519 signature of `id.timestamp.body`, sent as space-separated
 * `v1a,<base64>` entries in `webhook-signature` (or `svix-signature`), checked with the sender's
 * public key `whpk_<base64>` (or the bare base64, or the 32 raw bytes) as the endpoint's secret; a
 * signing key (`whsk_`) is refused. Other entries (`v1`, `v2`) are skipped; the headers, id rules
 * (no `.` or `,`) and window are those of the symmetric scheme. `sign()` takes the signing key,
 * `whsk_<base64 seed>` or PEM.
 */
function standardWebhooksAsymmetricScheme(settings: StandardWebhooksAsymmetricSettings = {}): AsymmetricScheme {
  const prefix = settings.headerPrefix ?? 'webhook';
  return asymmetricSignature({
    name: prefix === 'svix' ? 'svix-v1a' : 'standard-webhooks-v1a',
    algorithm: 'ed25519',
    header: `${prefix}-signature`,
    prefix: 'v1a,',
    separator: ' ',
    encoding: 'base64',
    template: '{id}.{timestamp}.{body}',
    idHeader: `${prefix}-id`,
    idExcludes: '.,',
    timestampHeader: `${prefix}-timestamp`,
    toleranceSeconds: settings.toleranceSeconds ?? 300,
    publicKey: { encoding: 'base64', prefix: 'whpk_', privatePrefix: 'whsk_', label: 'A Standard Webhooks public key' },
  });
}

/**
 * An endpoint that receives Standard Webhooks signed with Ed25519 (`v1a`), verified with the
 * sender's `whpk_` public key; the headers, id and 300 s window are those of `standardWebhooks()`.
 * @publicApi
 * @example endpoints: { events: standardWebhooksAsymmetric({ publicKey: process.env.SENDER_PUBLIC_KEY }) }
 */
export function standardWebhooksAsymmetric(
  options: StandardWebhooksAsymmetricPresetOptions = {},
): WebhookEndpointDefinition {
  const { publicKey, headerPrefix, toleranceSeconds } = options;
  return definePreset(
    {
      provider: headerPrefix === 'svix' ? 'svix' : 'standard-webhooks',
      scheme: standardWebhooksAsymmetricScheme({ headerPrefix, toleranceSeconds }),
      secrets: publicKey,
      generateSecret: providerIssuesKey('The sender issues the `whpk_` public key: send it as `secret`.'),
    },
    options,
  );
}

/** @publicApi */
export const standardWebhooksAsymmetricProvider = defineProvider<StandardWebhooksAsymmetricPresetOptions>({
  id: 'standard-webhooks-v1a',
  vectors: 'verified',
  displayName: 'Standard Webhooks (Ed25519)',
  docsUrl: 'https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md',
  presetName: 'standardWebhooksAsymmetric',
  presetOptions: '{ publicKey }',
  verification: 'Ed25519 of `id.timestamp.body` in `webhook-signature` `v1a,<base64>` entries, `whpk_` public key',
  messageId: { header: 'webhook-id' },
  eventType: { bodyField: 'type' },
  toleranceSeconds: 300,
  scheme: standardWebhooksAsymmetricScheme,
  preset: standardWebhooksAsymmetric,
  testKey: () => standardWebhooksAsymmetricScheme().generateTestKey(),
  // The spec's suggested payload: `type`, `timestamp`, `data`; the id travels in `webhook-id`.
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      type: 'hookwarden.test',
      timestamp: new Date().toISOString(),
      data: { nonce: randomBytes(8).toString('hex') },
    }),
  }),
});
