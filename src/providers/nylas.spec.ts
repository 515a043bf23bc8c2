import { answerProbe } from '../../test/support/challenge-probe';
import { webhookRequest } from '../../test/support/scheme-testing';
import { nylasChallenge, nylasProvider } from './nylas';

describe('nylasChallenge', () => {
  it('answers `GET ?challenge=` with exactly the value, as Nylas expects; a wrong answer is called wrong', () => {
    const probe = nylasProvider.challengeRequest!({ url: 'https://hooks.example.com/webhooks/nylas' });
    const { detected, response, verdict } = answerProbe(probe, nylasChallenge());
    expect(detected).toBe(true);
    expect(response.status).toBe(200);
    expect(response.body).toBe(probe.query!.challenge);
    expect(verdict).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: 'other' })).toEqual(expect.any(String));
  });

  it('leaves POST deliveries and a GET without `challenge` to the delivery path', () => {
    const strategy = nylasChallenge();
    expect(strategy.detect(webhookRequest({ method: 'POST', url: '/hooks?challenge=abc' }))).toBe(false);
    expect(strategy.detect(webhookRequest({ method: 'GET', url: '/hooks' }))).toBe(false);
  });

  it('is mounted by the preset', () => {
    expect(nylasProvider.preset({ secret: 's' }).challenge?.kind).toBe('token-echo');
  });
});
