import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type { ChallengeContext, ChallengeResponse, ChallengeStrategy } from '../core/challenge-strategy';
import { readFormBody } from '../core/challenges/challenge-request';
import { isTokenShaped } from '../core/challenges/computed-token';
import { constantTimeEqualText } from '../core/constant-time';
import { assertHasSecrets, noMatchingSignature, utf8SecretBytes } from '../core/engines/scheme-support';
import { WebhookErrorCode, WebhookVerificationError } from '../core/errors';
import type { WebhookRequest } from '../core/request';
import { memoizeKey, type WebhookSecret } from '../core/secret';
import type { SignatureVerification, SignedDelivery, SignInput } from '../core/signature-scheme';
import { isSuccess } from './challenge-answers';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider, type ProviderSettings, type SigningScheme } from './provider';

/**
 * Braintree posts a form with `bt_payload` (base64 of an XML `<notification>`, ending with "\n")
 * and `bt_signature`: `public_key|hex` pairs joined by `&`, one per API key, each the hex
 * HMAC-SHA1 of the payload keyed with the raw SHA-1 digest of that API key's private key. The SDK
 * also tries the payload with "\n" appended. No timestamp or message id is signed outside the XML.
 *
 * No core engine reads a key derived by a hash or a `pub|sig&pub|sig` list, so the scheme is here.
 * The pair's public key is only a label: every pair is tried against every live private key, in
 * constant time; the HMAC is what authenticates.
 */
const PAYLOAD = /^[A-Za-z0-9+=/\n]+$/; // the SDK's alphabet for bt_payload
const MAX_PAYLOAD = 1024 * 1024;
const PAIR = /^([^|&]{1,128})\|([0-9a-f]{40})$/;
const MAX_PAIRS = 16;
/** The challenges braintree_node accepts; anything else is refused before any HMAC is computed. */
const CHALLENGE = /^[a-f0-9]{20,32}$/;

/** The HMAC key: SHA-1 of the private key, raw bytes. */
const keyOf: (secret: WebhookSecret) => KeyObject = memoizeKey((secret) =>
  createSecretKey(createHash('sha1').update(utf8SecretBytes(secret.value)).digest()),
);
const hmacHex = (key: KeyObject | Buffer, text: string) => createHmac('sha1', key).update(text, 'utf8').digest('hex');

/** @publicApi */
export interface BraintreeSchemeOptions {
  /** The public key written in the pairs `sign()` makes (verification reads every pair). */
  readonly publicKey?: string;
}

class BraintreeScheme implements SigningScheme {
  readonly name = 'braintree';
  readonly requiresSecret = true;
  /**
   * Domain separation from computed challenge answers (the `bt_challenge` answer is HMAC-SHA1 under
   * the same key): no string a delivery is checked over is token-shaped. A payload made only of
   * token characters is checked with its "\n" only; a real payload (a base64 XML ending in "\n")
   * never is one.
   */
  readonly refusesChallengeAnswers = true;

  constructor(private readonly options: BraintreeSchemeOptions = {}) {}

  verify(request: WebhookRequest, secrets: readonly WebhookSecret[]): SignatureVerification {
    const fields = readFormBody(request);
    const payload = fields?.['bt_payload'];
    const signature = fields?.['bt_signature'];
    if (typeof payload !== 'string' || typeof signature !== 'string' || payload === '') {
      throw noMatchingSignature('The body carries no single bt_payload and bt_signature form fields.');
    }
    if (payload.length > MAX_PAYLOAD || !PAYLOAD.test(payload)) {
      throw new WebhookVerificationError(
        WebhookErrorCode.InvalidBody,
        'bt_payload holds characters outside the base64 alphabet.',
      );
    }
    const entries = signature.split('&');
    if (entries.length > MAX_PAIRS) throw noMatchingSignature('bt_signature lists too many pairs.');
    const digests = entries.flatMap((entry) => PAIR.exec(entry)?.[2] ?? []);
    assertHasSecrets(secrets);
    const signed = isTokenShaped(payload) ? [`${payload}\n`] : [payload, `${payload}\n`];
    for (const secret of digests.length > 0 ? secrets : []) {
      for (const text of signed) {
        const digest = hmacHex(keyOf(secret), text);
        if (digests.some((candidate) => constantTimeEqualText(digest, candidate))) {
          return { secretVersion: secret.version };
        }
      }
    }
    throw noMatchingSignature();
  }

  /** Adds `bt_signature` to a form body holding `bt_payload`, signed over the payload as is. */
  sign(input: SignInput): SignedDelivery {
    const form = new URLSearchParams(input.body.toString('utf8'));
    const payload = form.get('bt_payload') ?? '';
    const key = createHash('sha1').update(utf8SecretBytes(input.key)).digest();
    form.set('bt_signature', `${this.options.publicKey ?? SAMPLE_PUBLIC_KEY}|${hmacHex(key, payload)}`);
    return { headers: {}, body: Buffer.from(form.toString(), 'utf8') };
  }
}

const SAMPLE_PUBLIC_KEY = 'hookwarden_public_key';

/** @publicApi */
export interface BraintreeChallengeOptions {
  /** The API key's public key, written before the answer (`public_key|hex`). Without it, challenges are refused. */
  readonly publicKey?: string;
}

/**
 * Braintree's URL check: `GET ?bt_challenge=<hex>` answered `public_key|hex(HMAC-SHA1(SHA1(private
 * key), challenge))` as text. Only 20–32 lowercase hex digits are answered (what the SDK accepts),
 * and the scheme never checks a delivery over such a string, so no answer is a delivery signature.
 * @publicApi
 */
export function braintreeChallenge(options: BraintreeChallengeOptions = {}): ChallengeStrategy {
  return {
    kind: 'computed-hmac',
    signed: false,
    computesWithSigningSecret: true,
    detect: (request) => request.method === 'GET' && typeof request.query['bt_challenge'] === 'string',
    respond(request: WebhookRequest, context: ChallengeContext): ChallengeResponse {
      const challenge = request.query['bt_challenge'];
      if (typeof challenge !== 'string' || !CHALLENGE.test(challenge) || !options.publicKey) {
        throw new WebhookVerificationError(
          WebhookErrorCode.InvalidChallenge,
          options.publicKey
            ? 'bt_challenge must be 20–32 lowercase hex digits.'
            : 'The Braintree endpoint has no publicKey to answer bt_challenge with.',
        );
      }
      const secret = context.secrets[0];
      if (secret === undefined) {
        throw new WebhookVerificationError(WebhookErrorCode.NoSecretConfigured, 'No secret is configured to answer.');
      }
      return { status: 200, body: `${options.publicKey}|${hmacHex(keyOf(secret), challenge)}` };
    },
  };
}

/** @publicApi */
export interface BraintreePresetOptions extends PresetOptions {
  /** The API key's public key (Braintree Control Panel → API keys), for the challenge answer. */
  readonly publicKey?: string;
  /** The API key's private key: the signing secret (its SHA-1 digest keys the HMAC). Several while rotating. */
  readonly privateKey?: SecretOrSecrets;
}

const braintreeScheme = (settings: ProviderSettings & BraintreeSchemeOptions = {}) =>
  new BraintreeScheme({ publicKey: settings.publicKey });

/**
 * Braintree webhooks: `bt_signature` over `bt_payload` with the API key's private key, and the
 * `bt_challenge` URL check answered with its public key.
 * @publicApi
 * @example endpoints: { braintree: braintree({ publicKey: process.env.BT_PUBLIC_KEY, privateKey: process.env.BT_PRIVATE_KEY }) }
 */
export function braintree(options: BraintreePresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'braintree',
      scheme: braintreeScheme({ publicKey: options.publicKey }),
      secrets: options.privateKey,
      challenge: braintreeChallenge({ publicKey: options.publicKey }),
    },
    options,
  );
}

/** A sample notification as Braintree encodes it: base64 of the XML, ending with "\n". */
function samplePayload(): string {
  const xml =
    '<notification>\n<timestamp type="datetime">' +
    new Date().toISOString().replace(/\.\d+Z$/, 'Z') +
    '</timestamp>\n<kind>subscription_went_active</kind>\n<subject><subscription><id>' +
    randomBytes(3).toString('hex') +
    '</id></subscription></subject>\n</notification>\n';
  return `${Buffer.from(xml).toString('base64')}\n`;
}

/** @publicApi */
export const braintreeProvider = defineProvider<BraintreePresetOptions>({
  id: 'braintree',
  displayName: 'Braintree',
  docsUrl: 'https://developer.paypal.com/braintree/docs/guides/webhooks/parse',
  presetName: 'braintree',
  presetOptions: '{ publicKey, privateKey }',
  verification:
    'form `bt_signature` `public_key|hex` pairs: HMAC-SHA1 of `bt_payload` (or `bt_payload` + "\\n"), keyed with SHA-1 of the private key',
  challenge: '`GET ?bt_challenge=<hex>` → `public_key|hex HMAC-SHA1` (no answer is ever a delivery signature)',
  vectors: 'self-computed', // the challenge vector is published (braintree_node); the payload one is not
  scheme: braintreeScheme,
  preset: braintree,
  testKey: () => {
    const privateKey = randomBytes(16).toString('hex'); // Braintree private keys are 32 hex digits
    return { secret: privateKey, signingKey: privateKey };
  },
  sampleEvent: () => ({
    contentType: 'application/x-www-form-urlencoded',
    body: new URLSearchParams({ bt_payload: samplePayload() }).toString(),
  }),
  challengeRequest: ({ secret }) => {
    const challenge = randomBytes(16).toString('hex');
    const key = createHash('sha1')
      .update(secret ?? '')
      .digest();
    return {
      method: 'GET',
      query: { bt_challenge: challenge },
      headers: {},
      check: (answer) =>
        isSuccess(answer.status) && answer.text.endsWith(`|${hmacHex(key, challenge)}`)
          ? undefined
          : 'expected 2xx with public_key|hex HMAC-SHA1 of bt_challenge',
    };
  },
});
