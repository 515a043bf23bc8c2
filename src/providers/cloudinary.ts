import { randomBytes } from 'node:crypto';
import { DigestScheme } from '../core/engines/digest.engine';
import { randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings, WebhookProvider } from './provider';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Cloudinary notifications: `X-Cld-Signature` = hex SHA-1 (or SHA-256, when the account's
 * `signature_algorithm` is sha256) of body + `X-Cld-Timestamp` + API secret. A plain hash with the
 * secret inside, not an HMAC: the weaker scheme. The SDK only refuses timestamps over 7200 s old;
 * here the window is 7200 s both ways.
 */
const TOLERANCE_SECONDS = 7200;

function cloudinaryScheme(settings: ProviderSettings & { algorithm?: 'sha1' | 'sha256' } = {}): DigestScheme {
  return new DigestScheme({
    name: 'cloudinary',
    signature: { header: 'x-cld-signature' },
    algorithm: settings.algorithm ?? 'sha1',
    template: '{body}{timestamp}{secret}',
    timestampHeader: 'x-cld-timestamp',
    toleranceSeconds: settings.toleranceSeconds ?? TOLERANCE_SECONDS,
  });
}

/** @publicApi */
export interface CloudinaryPresetOptions extends PresetOptions {
  /** The product environment's API secret, or several during a rotation. */
  readonly apiSecret?: SecretOrSecrets;
  /** The account's `signature_algorithm`. @default 'sha1' */
  readonly algorithm?: 'sha1' | 'sha256';
  /** @default 7200 */
  readonly toleranceSeconds?: number;
}

const { provider, preset } = sharedSecretProvider<'apiSecret', CloudinaryPresetOptions>({
  id: 'cloudinary',
  displayName: 'Cloudinary',
  docsUrl: 'https://cloudinary.com/documentation/notifications#verifying_notification_signatures',
  presetName: 'cloudinary',
  secretOption: 'apiSecret',
  presetOptions: '{ apiSecret, algorithm? }',
  verification:
    '`X-Cld-Signature`: plain hex SHA-1 (or SHA-256) of body + timestamp + API secret (a digest, not an HMAC)',
  eventType: { bodyField: 'notification_type' },
  toleranceSeconds: TOLERANCE_SECONDS,
  vectors: 'self-computed',
  scheme: cloudinaryScheme,
  fromOptions: (options) => ({
    scheme: cloudinaryScheme({ algorithm: options.algorithm, toleranceSeconds: options.toleranceSeconds }),
  }),
  generateSecret: () => randomAlphanumeric(27),
  sampleEvent: jsonEvent(() => ({
    notification_type: 'upload',
    public_id: `sample_${randomBytes(6).toString('hex')}`,
    version: Math.floor(Date.now() / 1000),
    asset_id: randomBytes(16).toString('hex'),
  })),
});

/** Cloudinary notifications (SHA-1, the default `signature_algorithm`). @publicApi */
export const cloudinaryProvider = provider;

/** Cloudinary notifications of an account whose `signature_algorithm` is sha256. @publicApi */
export const cloudinarySha256Provider: WebhookProvider<CloudinaryPresetOptions> = {
  ...provider,
  id: 'cloudinary-sha256',
  displayName: 'Cloudinary (SHA-256)',
  presetOptions: "{ apiSecret, algorithm: 'sha256' }",
  verification: '`X-Cld-Signature`: plain hex SHA-256 of body + timestamp + API secret (a digest, not an HMAC)',
  vectors: 'verified',
  scheme: (settings) => cloudinaryScheme({ ...settings, algorithm: 'sha256' }),
  preset: (options) => preset({ ...options, algorithm: 'sha256' } as CloudinaryPresetOptions),
};

/**
 * Cloudinary notifications: the plain SHA-1/SHA-256 digest of body + timestamp + API secret.
 * @publicApi
 * @example endpoints: { cloudinary: cloudinary({ apiSecret: process.env.CLOUDINARY_API_SECRET }) }
 */
export const cloudinary = preset;
