// Plays a provider's URL-verification request (its catalogue `challengeRequest`) against a challenge
// strategy, as the guard would hand it over, and returns the provider's verdict on the answer: the
// probe (written from the provider's docs) and the strategy check each other.
import type { ChallengeContext, ChallengeResponse, ChallengeStrategy } from '../../src/core/challenge-strategy';
import type { ChallengeRequest } from '../../src/providers/provider';
import { webhookRequest } from './scheme-testing';

export function answerProbe(
  probe: ChallengeRequest,
  strategy: ChallengeStrategy,
  context: Partial<ChallengeContext> = {},
): { readonly detected: boolean; readonly response: ChallengeResponse; readonly verdict: string | undefined } {
  const query = { ...probe.query };
  const search = new URLSearchParams(query).toString();
  const request = webhookRequest({
    method: probe.method,
    url: search ? `/hooks?${search}` : '/hooks',
    headers: { ...probe.headers },
    query,
    body: probe.body ?? '',
  });
  const detected = strategy.detect(request);
  const response = strategy.respond(request, {
    endpoint: 'probe',
    secrets: [],
    namedSecrets: {},
    receivedAt: Date.now(),
    ...context,
  });
  const text =
    response.body === undefined
      ? ''
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  const verdict = probe.check({ status: response.status, headers: new Headers(response.headers), text });
  return { detected, response, verdict };
}
