import { createHmac } from 'node:crypto';
import { WebhookConfigurationError } from '../core/errors';
import { answerProbe } from '../../test/support/challenge-probe';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { mandrillChallenge, mandrillProvider } from './mandrill';

const NOW = 1_700_000_000;
const URL = 'https://hooks.example.com/mandrill';
const FORM = 'application/x-www-form-urlencoded';

/** Mandrill's documented construction, written out: URL, then each POST field as name + value, sorted by name. */
const sign = (key: string, url: string, fields: Record<string, string>) =>
  createHmac('sha1', key)
    .update(
      url +
        Object.keys(fields)
          .sort()
          .map((name) => name + fields[name])
          .join(''),
    )
    .digest('base64');

describe('mandrillProvider.scheme()', () => {
  const scheme = mandrillProvider.scheme({ url: URL });
  const fields = { mandrill_events: '[{"event":"send","_id":"abc"}]', extra: 'x' };
  const request = (signature: string, body: string, contentType = FORM) =>
    webhookRequest({
      url: '/internal/mandrill',
      headers: { 'x-mandrill-signature': signature, 'content-type': contentType },
      body,
    });

  it('accepts the registered URL + sorted parameters, whatever the request path', () => {
    const body = new URLSearchParams(fields).toString();
    expect(scheme.verify(request(sign('k', URL, fields), body), [secret('k')], at(NOW)).secretVersion).toBe(1);
  });

  it('refuses a signature made for another URL, and a body that is not a form (nothing would sign it)', () => {
    const body = new URLSearchParams(fields).toString();
    expect(refusal(() => scheme.verify(request(sign('k', `${URL}/other`, fields), body), [secret('k')], at(NOW)))).toBe(
      'no_matching_signature',
    );
    expect(
      refusal(() => scheme.verify(request(sign('k', URL, {}), '{"a":1}', 'application/json'), [secret('k')], at(NOW))),
    ).toBe('no_matching_signature');
  });

  it('needs the URL as registered', () => {
    expect(() => mandrillProvider.scheme({})).toThrow(WebhookConfigurationError);
  });
});

describe('mandrillChallenge', () => {
  it("answers Mandrill's HEAD check with 200, and is mounted by the preset", () => {
    const probe = mandrillProvider.challengeRequest!({ url: URL });
    const { detected, verdict } = answerProbe(probe, mandrillChallenge());
    expect(detected).toBe(true);
    expect(verdict).toBeUndefined();
    expect(mandrillChallenge().detect(webhookRequest({ method: 'POST' }))).toBe(false);
    expect(mandrillProvider.preset({ url: URL, secret: 'k' }).challenge?.kind).toBe('status-only');
  });
});
