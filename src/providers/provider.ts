import type { DeliveryField } from './endpoint-definition';
import type { SignatureScheme, SignInput, SignedDelivery } from '../core/signature-scheme';
import type { PresetOptions } from './preset-options';
import type { WebhookEndpointDefinition } from './endpoint-definition';

export type { DeliveryField } from './endpoint-definition';

/**
 * A scheme that can sign as well as verify: every provider's scheme is one.
 * @publicApi
 */
export type SigningScheme = SignatureScheme & { sign(input: SignInput): SignedDelivery };

/**
 * What a provider's scheme is built from besides its secret: the public URL for providers that
 * sign it (Trello, Square, Twilio), the timestamp window.
 * @publicApi
 */
export interface ProviderSettings {
  /** The public URL the provider calls, exactly as registered with it. */
  readonly url?: string;
  readonly toleranceSeconds?: number;
}

/** A URL-verification request as the provider sends it, and how to judge the answer. @publicApi */
export interface ChallengeRequest {
  readonly method: string;
  /** Query parameters to add to the endpoint URL. */
  readonly query?: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Why the answer is wrong, or `undefined` when it is what the provider expects. */
  check(answer: { readonly status: number; readonly headers: Headers; readonly text: string }): string | undefined;
}

/** What a challenge request is built from. @publicApi */
export interface ChallengeRequestInput {
  /** The endpoint's public URL. */
  readonly url: string;
  /** The signing secret (for challenges that are signed, or answered with an HMAC). */
  readonly secret?: string;
  /** The challenge-only token (`verify-token`, …) where the provider has one. */
  readonly verifyToken?: string;
}

/**
 * One provider, in one file: how it signs (data for an engine of `core/engines`), how it proves a
 * URL, its preset, where its message id and event type are, and what the README, the CLI and
 * `nestjs-hookwarden/testing` say and do about it. The catalogue (`catalogue.ts`) lists them all.
 * @publicApi
 */
export interface WebhookProvider<O extends PresetOptions = PresetOptions> {
  /**
   * The catalogue key (`stripe`, `standard-webhooks-v1a`), used by `signWebhook()` and the CLI. The
   * preset records it as the provider's name, except a variant, which records its family's.
   */
  readonly id: string;
  /** The name people know (`Stripe`, `Microsoft Graph`). */
  readonly displayName: string;
  /** The provider's page on verifying webhooks. */
  readonly docsUrl: string;
  /** The preset function's name, as exported from `nestjs-hookwarden` (`stripe`, `msGraph`). */
  readonly presetName: string;
  /** The preset's main options, for the README (`{ secret }`, `{ authToken, url }`). */
  readonly presetOptions?: string;
  /** One line for the README: what is checked (`HMAC-SHA256 of t.body in Stripe-Signature t=…,v1=…`). */
  readonly verification: string;
  /** One line for the README: how the provider proves the URL, when it does. */
  readonly challenge?: string;
  /** Where the message id is, used to drop duplicates; absent when the provider sends none. */
  readonly messageId?: DeliveryField;
  /** Where the event type is (the inbox routes handlers on it). */
  readonly eventType?: DeliveryField;
  /** The default window for the signed timestamp, in seconds; absent when none is signed. */
  readonly toleranceSeconds?: number;
  /**
   * `false` where the credential does not cover the body (a shared token, Mailgun's signed
   * timestamp and token): a tampered body is then not the scheme's to catch. @default true
   */
  readonly signsBody?: false;
  /**
   * How the scheme is checked against the provider: `verified` by a vector the provider or its SDK
   * published (reproduced byte for byte), `self-computed` from the documented algorithm only.
   */
  readonly vectors?: 'verified' | 'self-computed';
  /** Settings the scheme cannot work without (`url` for providers that sign it). */
  readonly requires?: readonly 'url'[];
  /** The scheme the preset uses, built from the same definition for verifying and signing. */
  readonly scheme: (settings?: ProviderSettings) => SigningScheme;
  /** The preset, the function users call (a method, so a catalogue of differently typed presets type-checks). */
  preset(options?: O): WebhookEndpointDefinition;
  /**
   * A fresh key for tests and `hookwarden send`: `secret` is what the endpoint is configured with,
   * `signingKey` what signs (the same for HMAC; the private half of a key pair for asymmetric schemes).
   */
  readonly testKey: () => { readonly secret: string; readonly signingKey: string };
  /** A small event in the provider's shape, with a fresh message id where the body carries one. */
  readonly sampleEvent: () => { readonly contentType: string; readonly body: string };
  /** The URL-verification request the provider sends, for providers that have one. */
  readonly challengeRequest?: (input: ChallengeRequestInput) => ChallengeRequest;
}

/** Defines a catalogue entry with its preset's options inferred: `export const acmeProvider = defineProvider({ … })`. @publicApi */
export function defineProvider<O extends PresetOptions>(provider: WebhookProvider<O>): WebhookProvider<O> {
  return provider;
}
