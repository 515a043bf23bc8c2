import { randomInt } from 'node:crypto';
import { asymmetricSignature, type AsymmetricScheme } from '../core/engines/asymmetric.engine';
import { FetchedKeyScheme } from '../core/engines/fetched-keys';
import { KeyResolver, type KeySourceOptions } from '../core/engines/key-resolver';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';

/** @publicApi */
export interface TravisCiPresetOptions extends PresetOptions {
  /**
   * Travis CI's public key (PEM). Absent: fetched from `https://api.travis-ci.com/config`
   * (`config.notifications.webhook.public_key`) and cached for an hour.
   */
  readonly publicKey?: SecretOrSecrets;
}

/**
 * Travis CI posts a form with one `payload` field (the JSON) and signs that field's decoded value,
 * not the raw body, with RSA PKCS#1 v1.5 / SHA-1 (base64 in `Signature`). Nothing is timestamped.
 */
function travisCiScheme(): AsymmetricScheme {
  return asymmetricSignature({
    name: 'travis-ci',
    algorithm: 'rsa-sha1',
    header: 'signature',
    encoding: 'base64',
    signedFormField: 'payload',
    publicKey: { encoding: 'spki', label: 'The Travis CI public key', hint: 'api.travis-ci.com/config' },
  });
}

/** Where Travis CI publishes its key: `{ config: { notifications: { webhook: { public_key: PEM } } } }`. @internal */
export const TRAVIS_CI_KEY_SOURCE: KeySourceOptions = {
  name: 'Travis CI',
  hosts: ['api.travis-ci.com'],
  url: 'https://api.travis-ci.com/config',
  format: { type: 'pem', field: 'config.notifications.webhook.public_key' },
};

/**
 * Travis CI build notifications: RSA-SHA1 of the `payload` form field, with Travis CI's public key,
 * given or fetched.
 * @publicApi
 * @example endpoints: { travis: travisCi() }
 */
export function travisCi(options: TravisCiPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'travis-ci',
      // A configured key (`publicKey`, or one added through the admin API) is used instead of fetching.
      scheme: new FetchedKeyScheme(travisCiScheme(), new KeyResolver(TRAVIS_CI_KEY_SOURCE)),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey(
        'Travis CI publishes its public key (api.travis-ci.com/config): send it as `secret`.',
      ),
    },
    options,
  );
}

/** @publicApi */
export const travisCiProvider = defineProvider<TravisCiPresetOptions>({
  id: 'travis-ci',
  displayName: 'Travis CI',
  docsUrl: 'https://docs.travis-ci.com/user/notifications/#verifying-webhook-requests',
  presetName: 'travisCi',
  presetOptions: '{ publicKey? }',
  verification:
    'RSA-SHA1 of the `payload` form field in `Signature` (base64); Travis CI’s key given or fetched from api.travis-ci.com',
  // A build's notifications (started, passed, …) share its id: none identifies one delivery.
  vectors: 'self-computed',
  scheme: travisCiScheme,
  preset: travisCi,
  testKey: () => travisCiScheme().generateTestKey(),
  sampleEvent: () => {
    const id = randomInt(1, 2 ** 31);
    const payload = JSON.stringify({
      id,
      number: String(id % 1000),
      type: 'push',
      state: 'passed',
      status_message: 'Passed',
    });
    return { contentType: 'application/x-www-form-urlencoded', body: new URLSearchParams({ payload }).toString() };
  },
});
