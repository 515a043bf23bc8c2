// Braintree: the research's vectors (braintree_node's challenge vector, a self-computed payload
// vector) with an independent node:crypto signer, and the attack the bt_challenge answer invites:
// HMAC-SHA1 under the same key as the deliveries, over a value the requester picks.
import { createHash, createHmac } from 'node:crypto';
import type { ChallengeContext } from '../core/challenge-strategy';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { braintree, braintreeChallenge, braintreeProvider } from './braintree';

const PUBLIC_KEY = 'integration_public_key';
const PRIVATE_KEY = 'integration_private_key';
/** The research's payload: base64 of a `check` notification, ending with "\n" as Braintree sends it. */
const PAYLOAD =
  'PG5vdGlmaWNhdGlvbj4KPHRpbWVzdGFtcCB0eXBlPSJkYXRldGltZSI+MjAyNC0wMS0wMVQwMDowMDowMFo8L3RpbWVzdGFtcD4KPGtpbmQ+Y2hlY2s8L2tpbmQ+CjxzdWJqZWN0PjxjaGVjayB0eXBlPSJib29sZWFuIj50cnVlPC9jaGVjaz48L3N1YmplY3Q+Cjwvbm90aWZpY2F0aW9uPg==\n';

/** Independent signer: hex HMAC-SHA1 keyed with the raw SHA-1 digest of the private key. */
const sign = (text: string, privateKey = PRIVATE_KEY) =>
  createHmac('sha1', createHash('sha1').update(privateKey).digest()).update(text).digest('hex');

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const scheme = () => braintreeProvider.scheme();
const verify = (body: string, secrets = [secret(PRIVATE_KEY)]) =>
  scheme().verify(webhookRequest({ headers: FORM, body }), secrets, at(1_700_000_000));

const context = (privateKey = PRIVATE_KEY): ChallengeContext => ({
  endpoint: 'braintree',
  secrets: [secret(privateKey)],
  namedSecrets: {},
  receivedAt: 1_700_000_000_000,
});
const challenge = (value: string) =>
  webhookRequest({ method: 'GET', url: `/hooks/braintree?bt_challenge=${encodeURIComponent(value)}` });

describe('braintree', () => {
  it('answers the published bt_challenge vector (braintree_node)', () => {
    const strategy = braintreeChallenge({ publicKey: PUBLIC_KEY });
    const request = challenge('20f9f8ed05f77439fe955c977e4c8a53');
    expect(strategy.detect(request)).toBe(true);
    expect(strategy.respond(request, context())).toEqual({
      status: 200,
      body: 'integration_public_key|d9b899556c966b3f06945ec21311865d35df3ce4',
    });
  });

  it('the attacker: a challenge answer replayed as bt_signature over the challenge as bt_payload is refused', () => {
    const strategy = braintreeChallenge({ publicKey: PUBLIC_KEY });
    const token = 'abcdef0123456789abcdef0123456789';
    const answer = strategy.respond(challenge(token), context()).body as string;
    expect(answer).toBe(`${PUBLIC_KEY}|${sign(token)}`); // it is a real HMAC under the delivery key…
    // …yet never a delivery signature: no string a delivery is checked over is token-shaped.
    expect(refusal(() => verify(form({ bt_signature: answer, bt_payload: token })))).toBe('no_matching_signature');
  });

  it('answers only the challenges the SDK accepts (20–32 lowercase hex digits)', () => {
    const strategy = braintreeChallenge({ publicKey: PUBLIC_KEY });
    for (const value of [
      'abc',
      'ABCDEF0123456789ABCD',
      'a'.repeat(33),
      'ghijklmnopqrstuvwxyz',
      `${'a'.repeat(20)}\n`,
    ]) {
      expect(refusal(() => strategy.respond(challenge(value), context()))).toBe('invalid_challenge');
    }
    expect(strategy.detect(webhookRequest({ method: 'POST', url: '/hooks/braintree?bt_challenge=abc' }))).toBe(false);
  });

  it('fails closed without a public key or a private key', () => {
    const token = '20f9f8ed05f77439fe955c977e4c8a53';
    expect(refusal(() => braintreeChallenge().respond(challenge(token), context()))).toBe('invalid_challenge');
    expect(
      refusal(() =>
        braintreeChallenge({ publicKey: PUBLIC_KEY }).respond(challenge(token), { ...context(), secrets: [] }),
      ),
    ).toBe('no_secret_configured');
  });

  it('verifies the research payload vector and its independent signature', () => {
    expect(sign(PAYLOAD)).toBe('5a56e261bae940d2ca1efeac823452d7ad88b0fb');
    expect(verify(form({ bt_signature: `${PUBLIC_KEY}|${sign(PAYLOAD)}`, bt_payload: PAYLOAD }))).toEqual({
      secretVersion: 1,
    });
  });

  it('tries the payload with "\\n" appended, as the SDK does, when the newline was lost on the way', () => {
    const body = form({ bt_signature: `${PUBLIC_KEY}|${sign(PAYLOAD)}`, bt_payload: PAYLOAD.slice(0, -1) });
    expect(verify(body)).toEqual({ secretVersion: 1 });
  });

  it('picks the matching pair among several pub|sig pairs (one per API key)', () => {
    const pairs = `other_public_key|${sign(PAYLOAD, 'other_private_key')}&${PUBLIC_KEY}|${sign(PAYLOAD)}`;
    expect(verify(form({ bt_signature: pairs, bt_payload: PAYLOAD }))).toEqual({ secretVersion: 1 });
    expect(refusal(() => verify(form({ bt_signature: pairs.split('&')[0], bt_payload: PAYLOAD })))).toBe(
      'no_matching_signature',
    );
  });

  it('refuses payloads outside the SDK alphabet, missing fields and non-form bodies with a code', () => {
    const signature = `${PUBLIC_KEY}|${sign(PAYLOAD)}`;
    expect(refusal(() => verify(form({ bt_signature: signature, bt_payload: `${PAYLOAD}<x>` })))).toBe('invalid_body');
    expect(refusal(() => verify(form({ bt_payload: PAYLOAD })))).toBe('no_matching_signature');
    expect(refusal(() => verify(JSON.stringify({ bt_signature: signature, bt_payload: PAYLOAD })))).toBe(
      'no_matching_signature',
    );
  });

  it("answers the catalogue's bt_challenge probe as its check expects", () => {
    const probe = braintreeProvider.challengeRequest!({ url: 'https://hooks.example.com/bt', secret: PRIVATE_KEY });
    const { detected, verdict } = answerProbe(probe, braintreeChallenge({ publicKey: PUBLIC_KEY }), context());
    expect([detected, verdict]).toEqual([true, undefined]);
  });

  it('mounts the challenge with the preset, keyed with the private key', () => {
    const definition = braintree({ publicKey: PUBLIC_KEY, privateKey: PRIVATE_KEY });
    expect(definition.secrets).toEqual([PRIVATE_KEY]);
    expect(definition.challenge?.computesWithSigningSecret).toBe(true);
    expect(definition.schemes.every((s) => s.refusesChallengeAnswers === true)).toBe(true);
  });
});
