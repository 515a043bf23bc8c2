import type { KeyObject } from 'node:crypto';
import { headerValue, type WebhookRequest } from '../request';
import type { WebhookSecret } from '../secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../signature-scheme';
import type { KeyResolver } from './key-resolver';
import { missingHeader } from './scheme-support';

/**
 * Where a request names the key it was signed with: a header holding a key id or the key's URL
 * (`X-Circle-Key-Id`, `PAYPAL-CERT-URL`), or a function reading it (a JWS header's `kid`; it throws
 * a `WebhookVerificationError` when the request is malformed). Absent: the source serves one set.
 * @publicApi
 */
export type KeyReference = { readonly header: string } | ((request: WebhookRequest) => string | undefined);

/**
 * A public-key scheme verified with the keys its provider publishes: `prepare()` fetches them (the
 * verifier awaits it), `verify()` hands them to the inner scheme as its secrets, and the
 * verification reports no secret version. An endpoint configured with keys of its own (a static
 * key, from the preset or the admin API) uses those instead and fetches nothing.
 * @publicApi
 */
export class FetchedKeyScheme implements SignatureScheme {
  readonly name: string;
  /** The keys come from the provider's hosts unless the endpoint has its own. */
  readonly requiresSecret = false;
  readonly refusesChallengeAnswers: boolean;
  readonly toleranceSeconds?: number;
  private readonly asSecret = new WeakMap<KeyObject, WebhookSecret>();

  constructor(
    private readonly inner: SignatureScheme,
    private readonly source: KeyResolver,
    private readonly reference?: KeyReference,
  ) {
    this.name = inner.name;
    this.refusesChallengeAnswers = inner.refusesChallengeAnswers === true;
    const tolerance = (inner as { toleranceSeconds?: number }).toleranceSeconds;
    if (tolerance !== undefined) this.toleranceSeconds = tolerance;
  }

  async prepare(request: WebhookRequest, secrets: readonly WebhookSecret[]): Promise<void> {
    if (secrets.length === 0) await this.source.resolve(this.referenceOf(request));
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], context: VerifyContext): SignatureVerification {
    if (secrets.length > 0) return this.inner.verify(request, secrets, context);
    const keys = this.source.cached(this.referenceOf(request)).map(({ key }) => this.secretOf(key));
    const { secretVersion: _fetched, ...verification } = this.inner.verify(request, keys, context);
    return verification;
  }

  sign(input: SignInput): SignedDelivery {
    return this.inner.sign!(input);
  }

  private referenceOf(request: WebhookRequest): string | undefined {
    const reference = this.reference;
    if (reference === undefined) return undefined;
    if (typeof reference === 'function') return reference(request);
    const value = headerValue(request, reference.header.toLowerCase());
    if (value === undefined || value === '') throw missingHeader(reference.header);
    return value;
  }

  /** The inner schemes read public keys as PEM secrets; one secret object per key keeps their parse cache. */
  private secretOf(key: KeyObject): WebhookSecret {
    let secret = this.asSecret.get(key);
    if (!secret) {
      secret = { version: 0, value: key.export({ type: 'spki', format: 'pem' }) as string };
      this.asSecret.set(key, secret);
    }
    return secret;
  }
}
