// Notion: the setup handshake hands over the signing secret in an unsigned body; it is stored (not
// echoed), and the events it then keys verify against an independent node:crypto signer.
import { createHmac } from 'node:crypto';
import type { ChallengeContext } from '../core/challenge-strategy';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { notion, notionChallenge, notionProvider } from './notion';

/** The research's (self-computed) vector. */
const TOKEN = 'secret_tMrlL1qK5vuQAh1b6cZGhFChZTSYJlce98V0pYn7yBl';
const BODY = '{"id":"367cba44-b6f3-4c92-81e7-6a2e9659efd4","type":"page.created"}';
const JSON_TYPE = { 'content-type': 'application/json' };
const CONTEXT: ChallengeContext = { endpoint: 'notion', secrets: [], namedSecrets: {}, receivedAt: 0 };
const handshake = (body: string) => webhookRequest({ method: 'POST', headers: JSON_TYPE, body });

describe('notion', () => {
  it('takes the handshake token as the signing secret and answers a bare 200 that does not echo it', () => {
    const strategy = notionChallenge();
    const request = handshake(JSON.stringify({ verification_token: TOKEN }));
    expect(strategy.detect(request)).toBe(true);
    expect(strategy.respond(request, CONTEXT)).toEqual({ status: 200 });
    expect(strategy.deliveredSecret!(request)).toBe(TOKEN);
  });

  it('refuses a token not in Notion’s shape, and stores nothing from it', () => {
    const strategy = notionChallenge();
    for (const token of ['', 'secret_', 'secret_abc"<x>', `secret_${'a'.repeat(200)}`, 'not-a-notion-token-123']) {
      const request = handshake(JSON.stringify({ verification_token: token }));
      expect(refusal(() => strategy.respond(request, CONTEXT))).toBe('invalid_challenge');
      expect(strategy.deliveredSecret!(request)).toBeUndefined();
    }
    expect(strategy.detect(handshake(JSON.stringify({ verification_token: 42 })))).toBe(false);
    expect(strategy.detect(handshake(BODY))).toBe(false); // an event is no handshake
  });

  it('then verifies events keyed with that token (independent signer)', () => {
    const signature = `sha256=${createHmac('sha256', TOKEN).update(BODY).digest('hex')}`;
    expect(signature).toBe('sha256=b30b43ac8fa987d169cb3ee2425866b953d974456e21e4c6d4d9b18fee3249b4');
    const request = webhookRequest({ headers: { ...JSON_TYPE, 'x-notion-signature': signature }, body: BODY });
    expect(notionProvider.scheme().verify(request, [secret(TOKEN)], at(1_700_000_000))).toMatchObject({
      messageId: '367cba44-b6f3-4c92-81e7-6a2e9659efd4',
    });
  });

  it("answers the catalogue's handshake probe as its check expects", () => {
    const probe = notionProvider.challengeRequest!({ url: 'https://hooks.example.com/notion' });
    const strategy = notionChallenge();
    const { detected, verdict } = answerProbe(probe, strategy);
    expect([detected, verdict]).toEqual([true, undefined]);
  });

  it('mounts the handshake, refusing a replacement of a live secret unless allowed', () => {
    expect(notion().challenge?.deliveredSecret).toBeDefined();
    expect(notion().allowSecretReplacement).toBeUndefined();
    expect(notion({ allowSecretReplacement: true }).allowSecretReplacement).toBe(true);
  });
});
