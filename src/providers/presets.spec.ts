import { ipAllowList } from '../core/auth/ip-allow-list.scheme';
import { WebhookConfigurationError } from '../core/errors';
import type { SignatureScheme } from '../core/signature-scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import * as presets from './index';

// What each preset declares: provider name, scheme, window, challenge, named secrets and secret
// generator. Verification itself is tested per scheme and end to end in test/providers.e2e-spec.ts.
const tolerance = (scheme: SignatureScheme) => (scheme as { toleranceSeconds?: number }).toleranceSeconds;
const URL = 'https://hooks.example.com/x';

const table: Array<[string, WebhookEndpointDefinition, string, number | undefined, string | undefined]> = [
  ['github', presets.github(), 'github', undefined, undefined],
  ['stripe', presets.stripe(), 'stripe', 300, undefined],
  ['slack', presets.slack(), 'slack', 300, 'token-echo'],
  ['shopify', presets.shopify(), 'shopify', undefined, undefined],
  ['zoom', presets.zoom(), 'zoom', 300, 'computed-hmac'],
  ['twitch', presets.twitch(), 'twitch', 600, 'token-echo'],
  ['meta', presets.meta(), 'meta', undefined, 'token-echo'],
  ['whatsapp', presets.whatsapp(), 'meta', undefined, 'token-echo'],
  ['instagram', presets.instagram(), 'meta', undefined, 'token-echo'],
  ['dropbox', presets.dropbox(), 'dropbox', undefined, 'token-echo'],
  ['trello', presets.trello({ callbackUrl: URL }), 'trello', undefined, 'status-only'],
  ['asana', presets.asana(), 'asana', undefined, 'header-code'],
  ['twilio', presets.twilio({ url: URL }), 'twilio', undefined, undefined],
  ['square', presets.square({ notificationUrl: URL }), 'square', undefined, undefined],
  ['box', presets.box(), 'box', 600, undefined],
  ['pagerduty', presets.pagerduty(), 'pagerduty', undefined, undefined],
  ['linear', presets.linear(), 'linear', 60, undefined],
  ['mailgun', presets.mailgun(), 'mailgun', 900, undefined],
  ['intercom', presets.intercom(), 'intercom', undefined, 'status-only'],
  ['twitter', presets.twitter(), 'twitter', undefined, 'computed-hmac'],
  ['smartsheet', presets.smartsheet(), 'smartsheet', undefined, 'header-code'],
  ['ms-graph', presets.msGraph(), 'ms-graph', undefined, 'token-echo'],
  ['okta', presets.okta(), 'okta', undefined, 'token-echo'],
  ['discord', presets.discord(), 'discord', 300, 'declarative'],
  ['sendgrid', presets.sendgrid(), 'sendgrid', 300, undefined],
  ['adobe-io', presets.adobeIo(), 'adobe-io', undefined, 'token-echo'],
  ['strava', presets.strava(), 'strava', undefined, 'token-echo'],
  ['standard-webhooks', presets.standardWebhooksAsymmetric(), 'standard-webhooks-v1a', 300, undefined],
];

describe('provider presets', () => {
  it.each(table)('%s declares its scheme, window and challenge', (provider, definition, scheme, seconds, challenge) => {
    expect(definition.provider).toBe(provider);
    expect(definition.schemes.map((s) => s.name)).toEqual([scheme]);
    expect(tolerance(definition.schemes[0])).toBe(seconds);
    expect(definition.challenge?.kind).toBe(challenge);
    expect(definition.secrets).toEqual([]);
  });

  it('lists secrets oldest first, and both Box keys', () => {
    expect(presets.github({ secret: ['old', 'new'] }).secrets).toEqual(['old', 'new']);
    expect(presets.slack({ signingSecret: 'one' }).secrets).toEqual(['one']);
    expect(presets.box({ primaryKey: 'p', secondaryKey: 's' }).secrets).toEqual(['p', 's']);
  });

  it('runs extra authenticators before the provider scheme', () => {
    const allowList = ipAllowList({ allow: ['192.30.252.0/22'] });
    expect(presets.github({ also: [allowList] }).schemes).toEqual([
      allowList,
      expect.objectContaining({ name: 'github' }),
    ]);
  });

  it('lets the challenge be replaced or removed', () => {
    const custom = presets.dropbox().challenge!;
    expect(presets.slack({ challenge: custom }).challenge).toBe(custom);
    expect(presets.slack({ challenge: false }).challenge).toBeUndefined();
    expect(presets.github({ dedupeWindowSeconds: 60 }).dedupeWindowSeconds).toBe(60);
  });

  it('seeds the verify token of Meta and Strava under the name their challenge reads', () => {
    for (const definition of [
      presets.meta({ verifyToken: 'meatyhamhock' }),
      presets.whatsapp({ verifyToken: 'meatyhamhock' }),
      presets.strava({ verifyToken: 'meatyhamhock' }),
    ]) {
      expect(definition.challenge?.secretNames).toEqual(['verify-token']);
      expect(definition.namedSecrets).toEqual({ 'verify-token': 'meatyhamhock' });
    }
    expect(presets.meta().namedSecrets).toBeUndefined();
  });

  it('verifies the challenges that providers sign or authenticate before answering them', () => {
    for (const definition of [
      presets.slack(),
      presets.zoom(),
      presets.twitch(),
      presets.discord(),
      presets.okta(),
      presets.strava(),
    ]) {
      expect(definition.challenge?.signed).toBe(true);
    }
    expect(presets.meta().challenge?.signed).toBe(false);
  });

  it('generates secrets in a form the scheme accepts where the user chooses the secret', () => {
    for (const definition of [
      presets.github(),
      presets.twitch(),
      presets.msGraph(),
      presets.okta(),
      presets.strava(),
    ]) {
      const generated = definition.generateSecret!();
      expect(generated).toMatch(/^[A-Za-z0-9_-]{43,64}$/);
      expect(generated).not.toBe(definition.generateSecret!());
      for (const scheme of definition.schemes) expect(() => scheme.validateSecret?.(generated)).not.toThrow();
    }
    // Secrets the provider issues in its own format: see src/core/secret-format.spec.ts.
    expect(presets.shopify().generateSecret).toBeUndefined();
  });

  it('refuses presets without the public URL a URL-signing provider needs', () => {
    expect(() => presets.trello({} as never)).toThrow(WebhookConfigurationError);
    expect(() => presets.twilio({ url: '/sms' })).toThrow(WebhookConfigurationError);
    expect(() => presets.square(undefined as never)).toThrow(WebhookConfigurationError);
  });

  it('asana keeps the handshake secret unless replacement is allowed', () => {
    expect(presets.asana().allowSecretReplacement).toBeUndefined();
    expect(presets.asana({ allowSecretReplacement: true }).allowSecretReplacement).toBe(true);
  });

  describe('generic factories', () => {
    it('hmacEndpoint describes a provider as data', () => {
      const definition = presets.hmacEndpoint({
        provider: 'acme',
        secret: 's',
        header: 'x-acme-signature',
        template: '{timestamp}.{body}',
        timestampHeader: 'x-acme-timestamp',
        toleranceSeconds: 120,
        generateSecret: () => 'generated',
      });
      expect(definition.provider).toBe('acme');
      expect(definition.schemes[0].name).toBe('acme');
      expect(tolerance(definition.schemes[0])).toBe(120);
      expect(definition.secrets).toEqual(['s']);
      expect(definition.generateSecret!()).toBe('generated');
    });

    it("the generic factories take named secrets for challenge rules (the README's `hook` never answered without)", () => {
      const hook = presets.hmacEndpoint({
        provider: 'hook',
        secret: 's',
        header: 'x-signature',
        namedSecrets: { 'verification-token': 'vt', unset: undefined },
      });
      expect(hook.namedSecrets).toEqual({ 'verification-token': 'vt' });
      expect(presets.apiKeyEndpoint({ provider: 'p', header: 'x-key', namedSecrets: { a: 'b' } }).namedSecrets).toEqual(
        {
          a: 'b',
        },
      );
      expect(presets.basicAuthEndpoint({ provider: 'c', namedSecrets: { a: 'b' } }).namedSecrets).toEqual({ a: 'b' });
    });

    it('apiKeyEndpoint and basicAuthEndpoint use the endpoint secrets', () => {
      const key = presets.apiKeyEndpoint({ provider: 'partner', header: 'x-api-key', secret: 'k' });
      expect([key.schemes[0].name, key.schemes[0].requiresSecret, key.secrets]).toEqual(['partner', true, ['k']]);
      const basic = presets.basicAuthEndpoint({ provider: 'crm', secret: 'hooks:pw' });
      expect([basic.schemes[0].name, basic.schemes[0].requiresSecret]).toEqual(['crm', true]);
      expect(() => basic.schemes[0].validateSecret?.('no-colon')).toThrow(WebhookConfigurationError);
    });
  });
});
