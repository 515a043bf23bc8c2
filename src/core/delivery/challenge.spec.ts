import { createHash } from 'node:crypto';
import type { WebhookRequest } from '../request';
import {
  challengeAnswer,
  formsChallengeOracle,
  handshakeSecretAction,
  isChallengeRequest,
  secretFingerprint,
  sharedSecretMessage,
  sharesFingerprint,
} from './challenge';

const request = { method: 'POST', url: '/hooks', headers: {}, query: {}, rawBody: Buffer.from('{"type":"x"}') };

describe('isChallengeRequest', () => {
  it('is a challenge when the strategy detects one', () => {
    const seen: WebhookRequest[] = [];
    expect(isChallengeRequest({ detect: (r) => (seen.push(r), true) }, request)).toBe(true);
    expect(seen).toEqual([request]);
    expect(isChallengeRequest({ detect: () => false }, request)).toBe(false);
  });

  it('is no challenge without the raw bytes, and the strategy is not asked', () => {
    let asked = false;
    expect(isChallengeRequest({ detect: () => (asked = true) }, { ...request, rawBody: undefined })).toBe(false);
    expect(asked).toBe(false);
  });

  it('is no challenge when detect throws or answers anything but true', () => {
    const throwing = {
      detect: () => {
        throw new Error('bug');
      },
    };
    expect(isChallengeRequest(throwing, request)).toBe(false);
    expect(isChallengeRequest({ detect: () => 'yes' as unknown as boolean }, request)).toBe(false);
  });
});

describe('challengeAnswer', () => {
  it('answers a string as text/plain with nosniff', () => {
    expect(challengeAnswer({ status: 200, body: 'token' })).toEqual({
      status: 200,
      headers: { 'X-Content-Type-Options': 'nosniff', 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'token',
    });
  });

  it('answers an object as JSON, with a copy of the body', () => {
    const body = { challenge: 'abc' };
    const answer = challengeAnswer({ status: 200, body });
    expect(answer.headers).toEqual({
      'X-Content-Type-Options': 'nosniff',
      'Content-Type': 'application/json; charset=utf-8',
    });
    expect(answer.body).toEqual({ challenge: 'abc' });
    expect(answer.body).not.toBe(body);
  });

  it("keeps the strategy's own content type, in any case, and sets none without a body", () => {
    const own = challengeAnswer({ status: 200, headers: { 'content-type': 'text/html' }, body: 'x' });
    expect(own.headers).toEqual({ 'X-Content-Type-Options': 'nosniff', 'content-type': 'text/html' });
    expect(challengeAnswer({ status: 204 })).toEqual({
      status: 204,
      headers: { 'X-Content-Type-Options': 'nosniff' },
      body: undefined,
    });
  });
});

describe('handshakeSecretAction', () => {
  it.each([
    [true, false, true, 'refuse'],
    [true, false, false, 'refuse'],
    [false, false, true, 'add_first'],
    [false, false, false, 'replace'],
    [true, true, true, 'replace'],
    [false, true, true, 'replace'],
  ] as const)('has secret %p, replacement allowed %p, store adds first %p: %s', (has, allow, addsFirst, action) => {
    expect(handshakeSecretAction(has, allow, addsFirst)).toBe(action);
  });
});

describe('formsChallengeOracle', () => {
  const computing = {
    schemes: [{ requiresSecret: true, refusesChallengeAnswers: true }],
    challenge: { computesWithSigningSecret: true },
  };
  const accepting = { schemes: [{ requiresSecret: true }] }; // Mailgun-like: may accept an answer
  const refusing = { schemes: [{ requiresSecret: true, refusesChallengeAnswers: true }] };
  const secretless = { schemes: [{ requiresSecret: false }] };

  it('pairs a side that computes answers with a side that may accept them, either way round', () => {
    expect(formsChallengeOracle(computing, accepting)).toBe(true);
    expect(formsChallengeOracle(accepting, computing)).toBe(true);
  });

  it('pairs nothing with schemes that refuse answers or use no secret', () => {
    expect(formsChallengeOracle(computing, refusing)).toBe(false);
    expect(formsChallengeOracle(computing, secretless)).toBe(false);
    expect(formsChallengeOracle(accepting, accepting)).toBe(false);
  });

  it("counts a route strategy that computes as the endpoint's own", () => {
    expect(formsChallengeOracle(refusing, accepting)).toBe(false);
    expect(formsChallengeOracle(refusing, accepting, true)).toBe(true);
  });
});

describe('secret fingerprints', () => {
  it('are the SHA-256 of the secret', () => {
    // printf 'abc' | sha256sum
    expect(secretFingerprint('abc').toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(secretFingerprint(Buffer.from('abc'))).toEqual(secretFingerprint('abc'));
  });

  it('are shared when any of one side equals any of the other', () => {
    const sha = (value: string) => createHash('sha256').update(value).digest();
    expect(sharesFingerprint([sha('a'), sha('b')], [sha('c'), sha('b')])).toBe(true);
    expect(sharesFingerprint([sha('a')], [sha('c'), sha('d')])).toBe(false);
    expect(sharesFingerprint([], [sha('c')])).toBe(false);
  });

  it('name both endpoints and never a secret in the message', () => {
    const message = sharedSecretMessage('billing', 'mail');
    expect(message).toContain('"billing" and "mail"');
    expect(message).toContain('Give each endpoint its own secret.');
  });
});
