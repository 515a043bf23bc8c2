import fc from 'fast-check';
import { WebhookConfigurationError, WebhookVerificationError } from '../errors';
import { at, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { MsGraphScheme } from './ms-graph.scheme';

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

describe('MsGraphScheme', () => {
  const scheme = new MsGraphScheme();
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
    expect(() => scheme.validateSecret('')).toThrow(WebhookConfigurationError);
    expect(() => scheme.validateSecret('x'.repeat(129))).toThrow(WebhookConfigurationError);
    expect(() => scheme.validateSecret('x'.repeat(128))).not.toThrow();
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
