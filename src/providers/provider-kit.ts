import type { ChallengeStrategy } from '../core/challenge-strategy';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type PresetParts, type SecretOrSecrets } from './preset-options';
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
 * option list follow from it. `O` is the preset's options type, when the file documents its own.
 * @internal
 */
export interface SharedSecretProviderSpec<K extends string, O extends SharedSecretPresetOptions<K>> extends Omit<
  WebhookProvider,
  'preset' | 'testKey' | 'presetOptions' | 'scheme'
> {
  /** The option the secret is given in. */
  readonly secretOption: K;
  /** The README's option list. @default `{ <secretOption> }` */
  readonly presetOptions?: string;
  /** A fresh secret in the provider's format for a rotation through the admin API; none when left out. */
  readonly generateSecret?: () => string;
  /** A fresh secret for tests and `hookwarden send`. @default generateSecret */
  readonly testSecret?: () => string;
  readonly scheme: WebhookProvider['scheme'];
  /** How the provider proves the URL, if it does. */
  readonly challengeStrategy?: () => ChallengeStrategy;
  /** See {@link WebhookEndpointDefinition.dedupeSignedContent}. */
  readonly dedupeSignedContent?: boolean;
  /**
   * Parts the preset takes from its other options (a scheme built from the URL or a header name,
   * named secrets such as a verify token); they replace the defaults.
   */
  readonly fromOptions?: (options: O) => Partial<PresetParts>;
  /** For providers that sign the URL: the option holding it, passed to the scheme as `url` (and `requires: ['url']`). */
  readonly urlOption?: keyof O & string;
}

/**
 * Builds the catalogue entry and the preset of a provider that signs with one shared secret.
 * @internal
 */
export function sharedSecretProvider<
  K extends string,
  O extends SharedSecretPresetOptions<K> = SharedSecretPresetOptions<K>,
>(
  spec: SharedSecretProviderSpec<K, O>,
): {
  readonly provider: WebhookProvider<O>;
  readonly preset: (options?: O) => WebhookEndpointDefinition;
} {
  const {
    secretOption,
    generateSecret,
    testSecret,
    challengeStrategy,
    dedupeSignedContent,
    fromOptions,
    urlOption,
    ...entry
  } = spec;
  const newTestSecret = testSecret ?? generateSecret;
  if (!newTestSecret) throw new Error(`${spec.id}: a shared-secret provider needs generateSecret or testSecret`);
  const preset = (options: O = {} as O) => {
    const settings: ProviderSettings = {
      ...(options.toleranceSeconds !== undefined ? { toleranceSeconds: options.toleranceSeconds } : {}),
      ...(urlOption ? { url: options[urlOption] as string | undefined } : {}),
    };
    const parts = fromOptions?.(options) ?? {};
    return definePreset(
      {
        provider: spec.id,
        scheme: parts.scheme ?? spec.scheme(settings),
        secrets: (options as Record<string, SecretOrSecrets>)[secretOption],
        ...(generateSecret ? { generateSecret } : {}),
        ...(challengeStrategy ? { challenge: challengeStrategy() } : {}),
        ...(dedupeSignedContent !== undefined ? { dedupeSignedContent } : {}),
        ...parts,
      },
      options,
    );
  };
  const provider: WebhookProvider<O> = {
    ...entry,
    ...(urlOption ? { requires: ['url'] as const } : {}),
    presetOptions: spec.presetOptions ?? `{ ${secretOption} }`,
    preset,
    testKey: () => sameKey(newTestSecret()),
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
