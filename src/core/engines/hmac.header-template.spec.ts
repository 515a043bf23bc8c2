// The HMAC engine's options for schemes that sign headers only (`{header:NAME}`, `signsBody: false`)
// and read the signature from a body field (`signatureField`); signatures from node:crypto.
import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { assertChallengeCannotSign } from '../challenges/computed-token';
import { ComputedHmacStrategy } from '../challenges/computed-hmac.strategy';
import { HmacScheme } from './hmac.engine';

const KEY = 'header-template-secret';
const hex = (text: string) => createHmac('sha256', KEY).update(text).digest('hex');
const challengeHash = () =>
  new HmacScheme({
    name: 'seed',
    signatureField: 'challenge_hash',
    template: '{header:x-challenge-token}',
    signsBody: false,
  });
const request = (token: string | undefined, body: unknown) =>
  webhookRequest({
    headers: { 'content-type': 'application/json', ...(token === undefined ? {} : { 'x-challenge-token': token }) },
    body: JSON.stringify(body),
  });

describe('HmacScheme with a header template and the signature in a body field', () => {
  it('verifies the HMAC of the header against the body field, keyed on what is signed for dedupe', () => {
    const token = 'c0ffee0123456789';
    const result = challengeHash().verify(request(token, { challenge_hash: hex(token) }), [secret(KEY)], at(1));
    expect(result.secretVersion).toBe(1);
    // The body is not signed: two bodies with one token are one signed content.
    const other = challengeHash().verify(request(token, { x: 1, challenge_hash: hex(token) }), [secret(KEY)], at(1));
    expect(other.signedContentKey).toBe(result.signedContentKey);
    expect(result.signedContentKey).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a wrong hash, a wrong key, a missing header and a missing field with a code', () => {
    const token = 'c0ffee0123456789';
    expect(
      refusal(() => challengeHash().verify(request(token, { challenge_hash: hex('x') }), [secret(KEY)], at(1))),
    ).toBe('no_matching_signature');
    expect(
      refusal(() => challengeHash().verify(request(token, { challenge_hash: hex(token) }), [secret('other')], at(1))),
    ).toBe('no_matching_signature');
    expect(
      refusal(() => challengeHash().verify(request(undefined, { challenge_hash: hex(token) }), [secret(KEY)], at(1))),
    ).toBe('missing_header');
    expect(refusal(() => challengeHash().verify(request(token, { hash: hex(token) }), [secret(KEY)], at(1)))).toBe(
      'no_matching_signature',
    );
  });

  it('signs what it verifies: the header carries the delivery id, the body the digest', () => {
    const signed = challengeHash().sign({
      body: Buffer.from('{"type":"t"}'),
      key: KEY,
      timestamp: 1,
      id: 'tok_1',
      contentType: 'application/json',
    });
    expect(signed.headers).toEqual({ 'x-challenge-token': 'tok_1' });
    expect(JSON.parse(signed.body!.toString())).toEqual({ type: 't', challenge_hash: hex('tok_1') });
  });

  it('must be declared weaker, and then does not promise to refuse computed challenge answers', () => {
    expect(() => new HmacScheme({ signatureField: 'h', template: '{header:x-t}' })).toThrow(/signsBody: false/);
    expect(() => new HmacScheme({ header: 'x-sig', template: '{header:x-t}' })).toThrow(/must contain \{body\}/);
    expect(() => new HmacScheme({ signatureField: 'h', template: '{body}', signsBody: false })).toThrow(
      /the body holds the signature/,
    );
    expect(
      () => new HmacScheme({ header: 'x-sig', template: '{header:x-t}', signsBody: false, idField: 'id' }),
    ).toThrow(/cannot read an id/);
    expect(challengeHash().refusesChallengeAnswers).toBe(false);
    expect(new HmacScheme({ header: 'x-sig' }).refusesChallengeAnswers).toBe(true);
    // An HMAC challenge keyed with the same secret could then sign a token: refused at start-up.
    const crc = new ComputedHmacStrategy({
      match: { method: 'GET' },
      token: { from: 'query', name: 'crc' },
      encoding: 'hex',
      digestField: 'response',
    });
    expect(() => assertChallengeCannotSign('seed', [challengeHash()], crc)).toThrow(/refusesChallengeAnswers/);
  });

  it('signs a header beside the body when the body is signed too', () => {
    const scheme = new HmacScheme({ header: 'x-sig', template: '{header:x-nonce}.{body}' });
    const body = '{"a":1}';
    const ok = webhookRequest({ headers: { 'x-nonce': 'n1', 'x-sig': hex(`n1.${body}`) }, body });
    expect(scheme.verify(ok, [secret(KEY)], at(1)).secretVersion).toBe(1);
    const moved = webhookRequest({ headers: { 'x-nonce': 'n2', 'x-sig': hex(`n1.${body}`) }, body });
    expect(refusal(() => scheme.verify(moved, [secret(KEY)], at(1)))).toBe('no_matching_signature');
  });
});
