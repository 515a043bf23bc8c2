// Cases the provider specs had each copied. describeBodyHmacScheme: the spec every "HMAC of the body in one header" provider had copied (Asana, Dropbox, Intercom,
// Meta, Smartsheet, X): its published vector verifies, no secret is `no_secret_configured`, each
// missing or misspelt header gets its own code, and the fast-check properties hold for a signer the
// spec writes out with node:crypto. A tampered body, a wrong key and a rotation are the conformance
// spec's (src/providers/conformance.spec.ts), run for every catalogue provider.
import type { WebhookRequest } from '../../src/core/request';
import type { ChallengeStrategy } from '../../src/core/challenge-strategy';
import type { SignatureScheme, SignedDelivery, SignInput } from '../../src/core/signature-scheme';
import type { ChallengeRequest, SigningScheme, WebhookProvider } from '../../src/providers/provider';
import { answerProbe } from './challenge-probe';
import { describeSchemeProperties, type SchemePropertyCase } from './scheme-properties';
import { at, publishedVector, refusal, secret, webhookRequest } from './scheme-testing';

export interface BodyHmacCase {
  readonly scheme: SignatureScheme;
  /** The signature header, lower case. */
  readonly header: string;
  /** The published vector: its `inputs.body`, the key in `inputs[keyInput]`, the header in `expected`. */
  readonly vector: ReturnType<typeof publishedVector>;
  readonly keyInput: string;
  /** The header value per the provider's documented algorithm, written out with node:crypto. */
  readonly sign: (key: string, body: string | Buffer) => string;
  /** The vector's header spelt wrong in the way users get it wrong (prefix added or dropped). */
  readonly misspelt: string;
  /** Overrides for the properties (bodies the provider sends). */
  readonly properties?: Pick<SchemePropertyCase, 'bodies'>;
}

export const NOW = 1_700_000_000;

/** Registers the shared cases inside the current `describe`; returns the request builder for the rest. */
export function describeBodyHmacScheme(spec: BodyHmacCase): {
  readonly request: (signature: string | undefined, body?: string | Buffer) => WebhookRequest;
  readonly secrets: ReturnType<typeof secret>[];
} {
  const { scheme, vector } = spec;
  const request = (signature: string | undefined, body: string | Buffer = vector.inputs.body) =>
    webhookRequest({ headers: { [spec.header]: signature }, body });
  const secrets = [secret(vector.inputs[spec.keyInput], 1)];
  const verify = (signature: string | undefined, keys = secrets) => scheme.verify(request(signature), keys, at(NOW));

  it('accepts the vector', () => {
    expect(verify(vector.expected).secretVersion).toBe(1);
  });

  it('refuses everything without a secret, a missing header and malformed signatures', () => {
    expect(refusal(() => verify(vector.expected, []))).toBe('no_secret_configured');
    expect(refusal(() => verify(undefined))).toBe('missing_header');
    for (const malformed of [spec.misspelt, vector.expected.slice(0, -2), vector.expected + ' ']) {
      expect(refusal(() => verify(malformed))).toBe('invalid_header');
    }
  });

  describeSchemeProperties({
    scheme,
    secrets: [secret('old-key', 1), secret('new-key', 2)],
    now: NOW,
    headers: [spec.header],
    covers: ['body'],
    ...spec.properties,
    request: (message, signed) => request(spec.sign('new-key', signed.body), message.body),
  });
  return { request, secrets };
}

/** Signs a published vector's body with the key in `inputs[keyInput]` (at NOW, as JSON, unless `input` says otherwise). */
export function signVector(
  scheme: SigningScheme,
  vector: ReturnType<typeof publishedVector>,
  keyInput: string,
  input: Partial<SignInput> = {},
): SignedDelivery {
  return scheme.sign({
    body: Buffer.from(vector.inputs.body),
    key: vector.inputs[keyInput],
    timestamp: NOW,
    id: 'unused',
    contentType: 'application/json',
    ...input,
  });
}

/** sign() turns the published vector into exactly its header and nothing else (the value is the vector's, never the code's). */
export function itSignsTheVector(scheme: SigningScheme, vector: ReturnType<typeof publishedVector>, keyInput: string) {
  it('signs the vector to exactly its header, and nothing else', () => {
    const signed = signVector(scheme, vector, keyInput, { id: 'not-signed' });
    expect(signed).toEqual({ headers: { [vector.inputs.header.toLowerCase()]: vector.expected } });
  });
}

/**
 * The provider's URL-verification request (written from its docs) is detected and answered by the
 * strategy as the provider expects, and `wrong` is judged wrong: the probe and the strategy check each other.
 */
export function itAnswersTheChallenge(
  provider: WebhookProvider,
  strategy: ChallengeStrategy,
  wrong: Parameters<ChallengeRequest['check']>[0],
): void {
  it("is detected and answered by the preset's strategy as the provider expects; a wrong answer is called wrong", () => {
    const probe = provider.challengeRequest!({ url: `https://hooks.example.com/webhooks/${provider.id}` });
    const { detected, verdict } = answerProbe(probe, strategy, {});
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    expect(probe.check(wrong)).toBeDefined();
  });
}
