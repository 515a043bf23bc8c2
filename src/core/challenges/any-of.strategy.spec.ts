import { WebhookConfigurationError } from '../errors';
import type { WebhookRequest } from '../request';
import { anyOf } from './any-of.strategy';
import { HeaderCodeStrategy } from './header-code.strategy';
import { StatusOnlyStrategy } from './status-only.strategy';
import { TokenEchoStrategy } from './token-echo.strategy';

const request = (method: string, headers: WebhookRequest['headers'], body = ''): WebhookRequest => ({
  method,
  url: '/',
  headers,
  query: {},
  rawBody: Buffer.from(body),
});
const context = { endpoint: 'test', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('anyOf', () => {
  const echo = new TokenEchoStrategy({
    match: { method: 'POST', body: { type: 'url_verification' } },
    token: { from: 'body', name: 'challenge' },
    signed: true,
    verifyToken: { field: { from: 'body', name: 'token' }, secretName: 'legacy-token' },
  });
  const ssl = new StatusOnlyStrategy({ match: { method: 'POST', body: { ssl_check: '1' } }, signed: true });
  const both = anyOf(echo, ssl);

  it('takes the first member’s kind, is signed, and reads every member’s secrets', () => {
    expect(both.kind).toBe('token-echo');
    expect(both.signed).toBe(true);
    expect(both.secretNames).toEqual(['legacy-token']);
  });

  it('lets the member that detects the request answer it', () => {
    const verification = request(
      'POST',
      { 'content-type': 'application/json' },
      '{"type":"url_verification","challenge":"c1","token":"t"}',
    );
    const sslCheck = request('POST', { 'content-type': 'application/x-www-form-urlencoded' }, 'ssl_check=1&token=t');
    const delivery = request('POST', { 'content-type': 'application/json' }, '{"type":"event_callback"}');
    const named = { ...context, namedSecrets: { 'legacy-token': [{ version: 1, value: 't' }] } };
    expect(both.detect(verification)).toBe(true);
    expect(both.respond(verification, named)).toEqual({ status: 200, body: 'c1' });
    expect(both.detect(sslCheck)).toBe(true);
    expect(both.respond(sslCheck, named)).toEqual({ status: 200 });
    expect(both.detect(delivery)).toBe(false);
    expect(() => both.respond(delivery, named)).toThrow(expect.objectContaining({ code: 'invalid_challenge' }));
  });

  it('delegates a delivered secret to the member that detects', () => {
    const handshake = anyOf(
      new HeaderCodeStrategy({ requestHeader: 'X-Hook-Secret', deliversSecret: true }),
      new StatusOnlyStrategy({ match: { method: 'HEAD' } }),
    );
    expect(handshake.deliveredSecret(request('POST', { 'x-hook-secret': 'abc' }))).toBe('abc');
    expect(handshake.deliveredSecret(request('HEAD', {}))).toBeUndefined();
  });

  it('refuses, at start-up, members that disagree on signing, none at all, and a bad member', () => {
    expect(() => anyOf(echo, new StatusOnlyStrategy({ match: { method: 'HEAD' } })).validate('slack')).toThrow(
      /"slack".*mixes signed and unsigned/,
    );
    expect(() => anyOf().validate('slack')).toThrow(WebhookConfigurationError);
    expect(() => anyOf(new StatusOnlyStrategy({ match: { method: 'HEAD' }, status: 500 })).validate('slack')).toThrow(
      /"slack".*status/,
    );
    expect(() => both.validate('slack')).not.toThrow();
  });

  it('gives the signing secrets only to the member that declares computesWithSigningSecret', () => {
    const seen: number[] = [];
    const member = (computes: boolean, method: string) => ({
      kind: 'status-only' as const,
      signed: false,
      computesWithSigningSecret: computes,
      detect: (r: WebhookRequest) => r.method === method,
      respond: (_r: WebhookRequest, c: { secrets: readonly unknown[] }) => {
        seen.push(c.secrets.length);
        return { status: 200 };
      },
    });
    const mixed = anyOf(member(false, 'GET'), member(true, 'POST'));
    const withSecret = { ...context, secrets: [{ version: 1, value: 'signing' }] };
    mixed.respond(request('GET', {}), withSecret);
    mixed.respond(request('POST', {}), withSecret);
    expect(seen).toEqual([0, 1]);
  });
});
