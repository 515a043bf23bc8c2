import { matchSecret } from '../core/auth/credential-match';
import type { ChallengeStrategy } from '../core/challenge-strategy';
import { WebhookConfigurationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../core/signature-scheme';
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
  /** A key pair for tests and `hookwarden send` (public-key providers). @default the same fresh secret twice */
  readonly testKey?: WebhookProvider['testKey'];
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
    testKey,
    ...entry
  } = spec;
  const newTestSecret = testSecret ?? generateSecret;
  if (!newTestSecret && !testKey) {
    throw new Error(`${spec.id}: a shared-secret provider needs generateSecret, testSecret or testKey`);
  }
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
    testKey: testKey ?? (() => sameKey(newTestSecret!())),
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

/**
 * For providers that sign nothing but repeat a shared credential in the JSON body (Figma's
 * `passcode`, Microsoft Graph's `clientState`): the body is the credential, compared in constant
 * time with the live secrets. Subclasses say where it sits. @internal
 */
export abstract class BodyCredentialScheme implements SignatureScheme {
  readonly requiresSecret = true;
  /** Compares the credential itself: an HMAC output is not it. */
  readonly refusesChallengeAnswers = true;
  readonly credentialsIn = { body: true };

  /** `label` names the credential in configuration errors (`A Figma passcode`). */
  protected constructor(
    readonly name: string,
    private readonly label: string,
    protected readonly maxLength: number,
  ) {}

  abstract verify(
    request: WebhookRequest,
    secrets: readonly WebhookSecret[],
    context: VerifyContext,
  ): SignatureVerification;

  abstract sign(input: SignInput): SignedDelivery;

  validateSecret(secret: string | Buffer): void {
    const length = credentialText(secret).length;
    if (length === 0 || length > this.maxLength) {
      throw new WebhookConfigurationError(`${this.label} must be 1–${this.maxLength} characters.`);
    }
  }

  /** The live secret `value` equals, when it is a string of at most `maxLength` characters. */
  protected matchCredential(value: unknown, secrets: readonly WebhookSecret[]): WebhookSecret | undefined {
    return typeof value === 'string' && value.length <= this.maxLength ? matchSecret(value, secrets) : undefined;
  }
}

/** A key or secret as text (a Buffer is read as UTF-8). @internal */
export function credentialText(key: string | Buffer): string {
  return Buffer.isBuffer(key) ? key.toString('utf8') : key;
}

/**
 * The headers of a JSON body signed now with `key`, as the provider sends it, content type included:
 * for challenge requests that are signed deliveries (Slack, Discord, Front, Twitch, Zoom). @internal
 */
export function signedJsonHeaders(
  scheme: { sign(input: SignInput): SignedDelivery },
  body: string,
  key: string | undefined,
  id = '',
): Record<string, string> {
  const signed = scheme.sign({
    body: Buffer.from(body),
    key: key ?? '',
    timestamp: Math.floor(Date.now() / 1000),
    id,
    contentType: 'application/json',
  });
  return { 'content-type': 'application/json', ...signed.headers };
}
