import { createHmac, randomUUID } from 'node:crypto';
import { constantTimeEqual } from '../core/constant-time';
import { isFormContentType } from '../core/engines/engine-parts';
import {
  assertHasSecrets,
  assertPublicUrl,
  decodeDigest,
  invalidHeader,
  noMatchingSignature,
  readIdHeader,
  requireHeader,
  utf8HmacKey,
  utf8SecretBytes,
} from '../core/engines/scheme-support';
import { WebhookConfigurationError } from '../core/errors';
import { headerValue, type WebhookRequest } from '../core/request';
import type { WebhookSecret } from '../core/secret';
import type {
  SignatureScheme,
  SignatureVerification,
  SignedDelivery,
  SignInput,
  VerifyContext,
} from '../core/signature-scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomAlphanumeric, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings } from './provider';
import { sameKey } from './provider-kit';

const SIGNATURE = 'x-plivo-signature-v3';
const NONCE = 'x-plivo-signature-v3-nonce';
/** One signature per live Auth Token: a handful at most. */
const MAX_SIGNATURES = 32;

/**
 * Plivo's V3 signature (plivo-node `v3Security.js`): base64 HMAC-SHA256, keyed with the Auth Token as
 * UTF-8, of `scheme://host[:port]/path`, then `?` + every query parameter as `name=value` (decoded),
 * sorted by name then value and joined with `&`; for a POST with form parameters, `.` after a
 * non-empty query (or `?` alone without one) and each parameter as name + value, sorted alike; and
 * last `.` + the `X-Plivo-Signature-V3-Nonce`. `X-Plivo-Signature-V3` lists one signature per live
 * Auth Token, comma-separated. Scheme, host and path come from the configured URL (behind a proxy
 * the Host header cannot be trusted); the query as received, since Plivo adds its own parameters
 * to GET callbacks. Nothing is timestamped: the signed nonce is the message id, so a replay is a
 * duplicate. The older V2 signs only URL + nonce (no parameters, no body) and is not offered.
 * Plivo's own validators compare with `===`; every comparison here is constant time. The only
 * scheme of its kind (a nonce and `.`-separated parts), so it lives here rather than as an engine.
 */
class PlivoV3Scheme implements SignatureScheme {
  readonly name = 'plivo';
  readonly requiresSecret = true;
  /** Signs the URL, whose `:` no computed token holds. */
  readonly refusesChallengeAnswers = true;
  /** `scheme://authority/path` of the configured URL, as written there. */
  private readonly base: string;
  /** The configured URL's query, signed by `sign()`. */
  private readonly configuredQuery: string;

  constructor(url: string) {
    const match = /^(https?:\/\/[^/?#]*)([^?#]*)(?:\?([^#]*))?/i.exec(url);
    if (!match) throw new WebhookConfigurationError('The plivo scheme needs `url` written as http(s)://host/path.');
    this.base = match[1] + match[2];
    this.configuredQuery = match[3] ?? '';
  }

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[], _context: VerifyContext): SignatureVerification {
    const signatures = parseSignatures(requireHeader(request, SIGNATURE));
    const nonce = readIdHeader(request, NONCE, true)!;
    const mark = request.url.indexOf('?');
    const query = mark < 0 ? '' : request.url.slice(mark + 1).replace(/#.*$/s, '');
    const post = request.method.toUpperCase() === 'POST';
    const form = post && isFormContentType(headerValue(request, 'content-type'));
    // Only a POST's form parameters are signed: any other body would ride along unauthenticated.
    if (!form && request.rawBody.length > 0) {
      throw noMatchingSignature('Plivo signs only the form parameters of a POST; this body is not one.');
    }
    const signed = stringToSign(this.base, query, form ? request.rawBody.toString('utf8') : '', nonce);
    assertHasSecrets(secrets);
    for (const secret of signatures.length > 0 ? secrets : []) {
      const digest = createHmac('sha256', utf8HmacKey(secret)).update(signed, 'utf8').digest();
      if (signatures.some((candidate) => constantTimeEqual(digest, candidate))) {
        return { secretVersion: secret.version, messageId: nonce };
      }
    }
    throw noMatchingSignature();
  }

  /** Signs a POST as Plivo does: the configured URL, the sorted form parameters and the id as the nonce. */
  sign(input: SignInput): SignedDelivery {
    const form = isFormContentType(input.contentType) ? input.body.toString('utf8') : '';
    if (!form && input.body.length > 0) throw new WebhookConfigurationError('Plivo signs only form parameters.');
    const signed = stringToSign(this.base, this.configuredQuery, form, input.id);
    const signature = createHmac('sha256', utf8SecretBytes(input.key)).update(signed, 'utf8').digest('base64');
    return { headers: { [SIGNATURE]: signature, [NONCE]: input.id } };
  }

  validateSecret(secret: string | Buffer): void {
    utf8SecretBytes(secret);
  }
}

function parseSignatures(value: string): Buffer[] {
  const entries = value.split(',');
  if (entries.length > MAX_SIGNATURES) throw invalidHeader(SIGNATURE, `at most ${MAX_SIGNATURES} signatures`);
  return entries.flatMap((entry) => decodeDigest(entry.trim(), 'base64', 32) ?? []);
}

/** Name → values of a query or form, decoded, values in the order received. */
function parse(text: string): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  for (const [name, value] of new URLSearchParams(text)) byName.set(name, [...(byName.get(name) ?? []), value]);
  return byName;
}

/** Each (name, value) sorted by name, then by value, as plivo-node's validator sorts them. */
function sorted(params: Map<string, string[]>, join: (name: string, value: string) => string): string[] {
  return [...params.keys()].sort().flatMap((name) => [...params.get(name)!].sort().map((value) => join(name, value)));
}

function stringToSign(base: string, query: string, form: string, nonce: string): string {
  const queryText = sorted(parse(query), (name, value) => `${name}=${value}`).join('&');
  const params = sorted(parse(form), (name, value) => name + value);
  let signed = base;
  if (queryText || params.length > 0) signed += `?${queryText}`;
  if (queryText && params.length > 0) signed += '.';
  return `${signed}${params.join('')}.${nonce}`;
}

function plivoScheme(settings?: ProviderSettings): PlivoV3Scheme {
  // Named after the preset's option, so that a missing one is reported as such.
  return new PlivoV3Scheme(assertPublicUrl(settings?.url, 'url', 'plivo'));
}

/** @publicApi */
export interface PlivoPresetOptions extends PresetOptions {
  /** The account's (or subaccount's) Auth Token, or several during a rotation. */
  readonly authToken?: SecretOrSecrets;
  /** The callback URL exactly as configured with Plivo (answer, message or status URL), query included. */
  readonly url: string;
}

/**
 * Plivo callbacks: the V3 signature (`X-Plivo-Signature-V3` over URL, sorted parameters and nonce)
 * with the Auth Token, the signed nonce as the message id.
 * @publicApi
 * @example plivo({ authToken: env.PLIVO_AUTH_TOKEN, url: 'https://api.example.com/hooks/plivo' })
 */
export function plivo(options: PlivoPresetOptions): WebhookEndpointDefinition {
  return definePreset(
    { provider: 'plivo', scheme: plivoScheme({ url: options?.url }), secrets: options?.authToken },
    options,
  );
}

/** Plivo callbacks (V3 signatures). @publicApi */
export const plivoProvider = defineProvider<PlivoPresetOptions>({
  id: 'plivo',
  displayName: 'Plivo',
  docsUrl: 'https://www.plivo.com/docs/voice/concepts/signature-validation',
  presetName: 'plivo',
  presetOptions: '{ authToken, url }',
  verification: '`X-Plivo-Signature-V3`: base64 HMAC-SHA256 of URL + sorted query and form parameters + nonce',
  messageId: { header: NONCE },
  vectors: 'self-computed',
  requires: ['url'],
  scheme: plivoScheme,
  preset: plivo,
  testKey: () => sameKey(randomAlphanumeric(40)),
  sampleEvent: () => ({
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({
      MessageUUID: randomUUID(),
      From: '15552223333',
      To: '15550001111',
      Status: 'delivered',
    }).toString(),
  }),
});
