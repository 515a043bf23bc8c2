import { createHmac } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ChallengeContext, ChallengeResponse, ChallengeStrategy } from '../challenge-strategy';
import { WebhookErrorCode, WebhookVerificationError } from '../errors';
import type { WebhookRequest } from '../request';
import {
  check,
  OptionProblems,
  readField,
  runMatcher,
  type ChallengeMatcher,
  type RequestField,
} from './challenge-request';
import { assertComputableToken } from './computed-token';
import { newest, safetyOrProblem } from './strategy-support';
import { assertSafeToken, type ResolvedTokenSafety, type TokenSafetyOptions } from './token-safety';

/** @publicApi */
export type ChallengeHmacAlgorithm = 'sha1' | 'sha256' | 'sha512';

/**
 * Options of {@link ComputedHmacStrategy}.
 * @publicApi
 */
export interface ComputedHmacOptions {
  /** What makes a request this challenge. */
  readonly match: ChallengeMatcher;
  /** Where the challenge token is; the HMAC is computed over its UTF-8 bytes. */
  readonly token: RequestField;
  /** @default 'sha256' */
  readonly algorithm?: ChallengeHmacAlgorithm;
  readonly encoding: 'hex' | 'base64';
  /** Put before the encoded digest (`sha256=` for X). */
  readonly prefix?: string;
  /** The JSON field that carries the digest (`encryptedToken`, `response_token`). */
  readonly digestField: string;
  /** A JSON field that echoes the token beside the digest (Zoom's `plainToken`). */
  readonly tokenField?: string;
  /** @default 200 */
  readonly status?: number;
  /**
   * Key the HMAC with the newest version of this named secret instead of the endpoint's newest
   * signing secret.
   */
  readonly secretName?: string;
  /** @default false */
  readonly signed?: boolean;
  readonly tokenSafety?: TokenSafetyOptions;
}

const ALGORITHMS: readonly string[] = ['sha1', 'sha256', 'sha512'];

/**
 * Answers with an HMAC of the challenge token, keyed with the endpoint's newest signing secret
 * (tokens outside `COMPUTED_TOKEN_PATTERN` are refused, so the answer is never a signature):
 * Zoom `endpoint.url_validation` → `{plainToken, encryptedToken}`, X/Twitter CRC →
 * `{response_token: "sha256=<base64>"}`. With no secret configured it refuses (fails closed).
 *
 * Use it with `new`, or subclass it as an injectable class that passes its options to `super()`.
 * @publicApi
 */
@Injectable()
export class ComputedHmacStrategy implements ChallengeStrategy {
  readonly kind = 'computed-hmac' as const;
  readonly signed: boolean;
  readonly secretNames?: readonly string[];
  readonly computesWithSigningSecret: boolean;
  private readonly safety: ResolvedTokenSafety;
  private readonly problems: OptionProblems;

  constructor(private readonly options: ComputedHmacOptions) {
    this.signed = options.signed ?? false;
    if (options.secretName !== undefined) this.secretNames = [options.secretName];
    this.computesWithSigningSecret = options.secretName === undefined;
    const [safety, safetyProblem] = safetyOrProblem(options.tokenSafety);
    this.safety = safety;
    this.problems = new OptionProblems('ComputedHmacStrategy', [
      check.matcher(options.match, 'match'),
      check.field(options.token, 'token'),
      ALGORITHMS.includes(options.algorithm ?? 'sha256')
        ? undefined
        : `algorithm must be one of ${ALGORITHMS.join(', ')}`,
      options.encoding === 'hex' || options.encoding === 'base64' ? undefined : `encoding must be 'hex' or 'base64'`,
      options.prefix === undefined || typeof options.prefix === 'string' ? undefined : 'prefix must be a string',
      check.text(options.digestField, 'digestField'),
      options.tokenField === undefined ? undefined : check.text(options.tokenField, 'tokenField'),
      options.secretName === undefined ? undefined : check.text(options.secretName, 'secretName'),
      check.status(options.status ?? 200),
      safetyProblem,
    ]);
  }

  detect(request: WebhookRequest): boolean {
    return this.problems.first === undefined && runMatcher(request, this.options.match);
  }

  respond(request: WebhookRequest, context: ChallengeContext): ChallengeResponse {
    this.problems.throwIfAny();
    const token = assertSafeToken(readField(request, this.options.token), this.safety);
    // Whatever tokenSafety allows, the HMAC input stays in the computed-token alphabet, so the answer
    // can never be a delivery signature (issue: X's CRC answer signed a forged form body).
    assertComputableToken(token);
    const { secretName } = this.options;
    const secret = newest(secretName === undefined ? context.secrets : context.namedSecrets[secretName]);
    if (secret === undefined) {
      throw new WebhookVerificationError(WebhookErrorCode.NoSecretConfigured, 'No secret is configured to answer.');
    }
    const digest = createHmac(this.options.algorithm ?? 'sha256', secret.value)
      .update(token, 'utf8')
      .digest(this.options.encoding);
    const entries: Array<[string, string]> = [[this.options.digestField, (this.options.prefix ?? '') + digest]];
    if (this.options.tokenField !== undefined) entries.unshift([this.options.tokenField, token]);
    return { status: this.options.status ?? 200, body: Object.fromEntries(entries) };
  }

  validate(endpoint: string): void {
    this.problems.throwFor(endpoint);
  }
}
