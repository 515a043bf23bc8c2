import fc from 'fast-check';
import { WebhookConfigurationError, WebhookVerificationError } from '../core/errors';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import type { WebhookRequest } from '../core/request';
import { msGraph, msGraphChallenge, msGraphProvider } from './ms-graph';

// Microsoft Graph signs nothing (shared/providers.md §6): every notification's clientState must
// equal a live secret.
const NOW = 1_700_000_000;
const notification = (clientState?: unknown) => ({
  subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
  changeType: 'created',
  resource: 'Users/ec6bd6e5/Messages/AAMk',
  ...(clientState === undefined ? {} : { clientState }),
});
const request = (notifications: unknown[] | unknown) =>
  webhookRequest({ headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: notifications }) });

describe('ms-graph scheme', () => {
  const scheme = msGraphProvider.scheme();
  const secrets = [secret('old-client-state', 1), secret('new-client-state', 2)];

  it('accepts a batch whose every clientState is a live secret, reporting the first match', () => {
    expect(scheme.verify(request([notification('new-client-state')]), secrets, at(NOW))).toEqual({ secretVersion: 2 });
    const mixed = request([notification('old-client-state'), notification('new-client-state')]);
    expect(scheme.verify(mixed, secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('refuses a batch with one foreign, missing or non-string clientState', () => {
    for (const batch of [
      [notification('new-client-state'), notification('forged')],
      [notification('new-client-state'), notification()],
      [notification(42)],
      [notification('new-client-state'), null],
      [notification('new-client-state'.toUpperCase())],
    ]) {
      expect(refusal(() => scheme.verify(request(batch), secrets, at(NOW)))).toBe('no_matching_signature');
    }
  });

  it('refuses bodies that are not a notification batch', () => {
    for (const body of [
      '',
      'not json',
      '[]',
      '{"value":[]}',
      '{"value":{}}',
      '{"values":[{"clientState":"new-client-state"}]}',
    ]) {
      expect(refusal(() => scheme.verify(webhookRequest({ body }), secrets, at(NOW)))).toBe('no_matching_signature');
    }
    expect(refusal(() => scheme.verify(request([notification('x')]), [], at(NOW)))).toBe('no_secret_configured');
  });

  it('validates clientState values at start-up (1–128 characters)', () => {
    expect(() => scheme.validateSecret!('')).toThrow(WebhookConfigurationError);
    expect(() => scheme.validateSecret!('x'.repeat(129))).toThrow(WebhookConfigurationError);
    expect(() => scheme.validateSecret!('x'.repeat(128))).not.toThrow();
  });

  it('throws nothing but WebhookVerificationError for arbitrary JSON, and accepts only live client states', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.string({ unit: 'binary', maxLength: 40 }), (value, state) => {
        for (const body of [
          JSON.stringify(value ?? null),
          JSON.stringify({ value: [value] }),
          JSON.stringify({ value: [{ clientState: state }] }),
        ]) {
          try {
            scheme.verify(webhookRequest({ body }), secrets, at(NOW));
            expect(body).toMatch(/"clientState":"(old|new)-client-state"/);
          } catch (error) {
            if (!(error instanceof WebhookVerificationError)) throw error;
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

// The challenge.
// The token as Microsoft Graph sends it (URL-decoded by the query parser).
const TOKEN =
  'Validation: Testing client application reachability for subscription Request-Id: 3b3f9821-ce3f-23d9-879b-00a23f3';
const validation = (query: Record<string, string>, method = 'POST'): WebhookRequest => ({
  method,
  url: '/hooks/graph',
  headers: { 'content-type': 'text/plain; charset=utf-8' },
  query,
  rawBody: Buffer.alloc(0),
});
const context = { endpoint: 'graph', secrets: [], namedSecrets: {}, receivedAt: 0 };

describe('msGraphChallenge', () => {
  it('echoes the decoded validationToken as text, spaces included', () => {
    expect(msGraphChallenge().detect(validation({ validationToken: TOKEN }))).toBe(true);
    expect(msGraphChallenge().respond(validation({ validationToken: TOKEN }), context)).toEqual({
      status: 200,
      body: TOKEN,
    });
  });

  it('keys detection on the parameter, whatever the method', () => {
    expect(msGraphChallenge().detect(validation({ validationToken: TOKEN }, 'GET'))).toBe(true);
    expect(msGraphChallenge().detect(validation({}))).toBe(false);
  });

  it('still refuses markup, quotes and oversized tokens', () => {
    for (const token of ['<script>alert(1)</script>', 'a"b', 'x'.repeat(1025)]) {
      expect(() => msGraphChallenge().respond(validation({ validationToken: token }), context)).toThrow(
        expect.objectContaining({ code: 'invalid_challenge' }),
      );
    }
  });

  it('keeps the printable pattern when only the length is overridden', () => {
    const strategy = msGraphChallenge({ tokenSafety: { maxLength: 2000 } });
    expect(strategy.respond(validation({ validationToken: TOKEN + 'x'.repeat(1500) }), context).status).toBe(200);
  });
});

describe('ms-graph scheme sign()', () => {
  const scheme = msGraphProvider.scheme();
  const input = (body: string) => ({
    body: Buffer.from(body),
    key: 'new-client-state',
    timestamp: NOW,
    id: 'unused',
    contentType: 'application/json',
  });

  it('puts the clientState into every notification, keeping the rest, and verify() accepts it', () => {
    const signed = scheme.sign(input(JSON.stringify({ value: [notification(), notification('stale')] })));
    expect(signed.headers).toEqual({});
    expect(JSON.parse(signed.body!.toString())).toEqual({
      value: [notification('new-client-state'), notification('new-client-state')],
    });
    const request = webhookRequest({ body: signed.body });
    expect(scheme.verify(request, [secret('old', 1), secret('new-client-state', 2)], at(NOW))).toEqual({
      secretVersion: 2,
    });
  });

  it('refuses to sign a body that is not a notification batch', () => {
    expect(() => scheme.sign(input('{"value":{}}'))).toThrow(WebhookConfigurationError);
    expect(() => scheme.sign(input('not json'))).toThrow(WebhookConfigurationError);
  });
});

describe('ms-graph preset and catalogue entry', () => {
  it('builds its endpoint through the catalogue scheme, with the challenge and no content dedupe', () => {
    const endpoint = msGraph({ clientState: 'state' });
    expect(endpoint.provider).toBe(msGraphProvider.id);
    expect(endpoint.schemes.map((scheme) => scheme.name)).toEqual(['ms-graph']);
    expect(endpoint.challenge?.kind).toBe('token-echo');
    expect(endpoint.dedupeSignedContent).toBe(false);
  });

  it('probes with the validationToken challenge and judges the echo', () => {
    const probe = msGraphProvider.challengeRequest!({ url: 'https://hooks.example.com/graph' });
    const token = probe.query!.validationToken;
    const request: WebhookRequest = {
      method: probe.method,
      url: '/graph',
      headers: probe.headers,
      query: probe.query!,
      rawBody: Buffer.from(probe.body ?? ''),
    };
    const answer = msGraphChallenge().respond(request, context);
    expect(answer).toEqual({ status: 200, body: token });
    expect(probe.check({ status: 200, headers: new Headers(), text: token })).toBeUndefined();
    expect(probe.check({ status: 200, headers: new Headers(), text: encodeURIComponent(token) })).toEqual(
      expect.any(String),
    );
  });
});
