import type { ChallengeStrategy } from '../core/challenge-strategy';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';
import type { ProviderSettings, WebhookProvider } from './provider';

/** The options of a preset whose provider signs with one shared secret, named `K` (`secret`, `signingKey`, …). */
export type SharedSecretPresetOptions<K extends string> = PresetOptions & {
  readonly [key in K]?: SecretOrSecrets;
} & {
  /** How far the signed timestamp may be from the time of receipt (providers that sign one). */
  readonly toleranceSeconds?: number;
};

/**
 * What a shared-secret provider's file declares; the preset, `testKey()` and the README's
 * option list follow from it.
 * @internal
 */
export interface SharedSecretProviderSpec<K extends string> extends Omit<
  WebhookProvider,
  'preset' | 'testKey' | 'presetOptions' | 'scheme'
> {
  /** The option the secret is given in. */
  readonly secretOption: K;
  /** A fresh secret in the provider's format (rotation through the admin API, tests). */
  readonly generateSecret: () => string;
  readonly scheme: WebhookProvider['scheme'];
  /** How the provider proves the URL, if it does. */
  readonly challengeStrategy?: () => ChallengeStrategy;
  /** See {@link WebhookEndpointDefinition.dedupeSignedContent}. */
  readonly dedupeSignedContent?: boolean;
}

/**
 * Builds the catalogue entry and the preset of a provider that signs with one shared secret.
 * @internal
 */
export function sharedSecretProvider<K extends string>(
  spec: SharedSecretProviderSpec<K>,
): {
  readonly provider: WebhookProvider<SharedSecretPresetOptions<K>>;
  readonly preset: (options?: SharedSecretPresetOptions<K>) => WebhookEndpointDefinition;
} {
  const { secretOption, generateSecret, challengeStrategy, dedupeSignedContent, ...entry } = spec;
  const preset = (options: SharedSecretPresetOptions<K> = {} as SharedSecretPresetOptions<K>) => {
    const settings: ProviderSettings =
      options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {};
    return definePreset(
      {
        provider: spec.id,
        scheme: spec.scheme(settings),
        secrets: (options as Record<string, SecretOrSecrets>)[secretOption],
        generateSecret,
        ...(challengeStrategy ? { challenge: challengeStrategy() } : {}),
        ...(dedupeSignedContent !== undefined ? { dedupeSignedContent } : {}),
      },
      options,
    );
  };
  const provider: WebhookProvider<SharedSecretPresetOptions<K>> = {
    ...entry,
    presetOptions: `{ ${secretOption} }`,
    preset,
    testKey: () => sameKey(generateSecret()),
  };
  return { provider, preset };
}

/** An HMAC key: the endpoint verifies with the secret it signs with. @internal */
export function sameKey(secret: string): { readonly secret: string; readonly signingKey: string } {
  return { secret, signingKey: secret };
}

/** A JSON sample event from a function that makes its fields (with a fresh id each time). @internal */
export function jsonEvent(fields: () => Record<string, unknown>): () => { contentType: string; body: string } {
  return () => ({ contentType: 'application/json', body: JSON.stringify(fields()) });
}
