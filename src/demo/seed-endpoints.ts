// The two seed examples of the demo, written as data (a declarative challenge rule, and an HMAC over
// a header with the body unsigned).
import { randomBytes } from 'node:crypto';
import { declarativeChallenge, type WebhookEndpointDefinition } from '../index';
import { hmacEndpoint } from '../providers';

/** The named secret the handshake rule compares the posted token with. */
export const VERIFICATION_TOKEN = 'verification-token';

/**
 * Seed example 1, as data: the provider POSTs `{"verification_token": "<token agreed beforehand>"}`
 * once and expects the token back; the rule answers only when it equals the named secret
 * `verification-token` (constant time), so only the configured token is ever echoed. Deliveries
 * carry `X-Signature: sha256=<hex HMAC-SHA256 of the body>`.
 */
export function seedHandshakeEndpoint(secret?: string, verificationToken?: string): WebhookEndpointDefinition {
  return {
    ...hmacEndpoint({
      provider: 'seed-handshake',
      secret,
      header: 'x-signature',
      prefix: 'sha256=',
      generateSecret: () => randomBytes(32).toString('hex'),
      challenge: declarativeChallenge({
        detect: 'http_method == "POST" && "verification_token" in parsed_body',
        verify_token: {
          value: 'parsed_body.verification_token',
          secret: { from: 'named', name: VERIFICATION_TOKEN },
        },
        body: '{{ parsed_body.verification_token }}',
      }),
    }),
    namedSecrets: { [VERIFICATION_TOKEN]: verificationToken },
  };
}

/**
 * Seed example 2, as data: every delivery carries `x-challenge-token`, and the JSON body's
 * `challenge_hash` must be the hex HMAC-SHA256 of that header under the shared secret. The body is
 * NOT signed (`signsBody: false`): a weaker scheme that proves the sender knows the secret and
 * never accepts a token twice, but lets the rest of the body be altered.
 */
export function seedChallengeEndpoint(secret?: string): WebhookEndpointDefinition {
  return hmacEndpoint({
    provider: 'seed-challenge',
    secret,
    signatureField: 'challenge_hash',
    template: '{header:x-challenge-token}',
    signsBody: false,
    generateSecret: () => randomBytes(32).toString('hex'),
  });
}
