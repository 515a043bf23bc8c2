import { randomUUID } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import { randomHexSecret } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * Sentry integrations: `Sentry-Hook-Signature: <hex HMAC-SHA256 of the body>`, keyed with the
 * integration's client secret. Sentry serialises the body once and signs that string, so only the
 * raw bytes verify. `Sentry-Hook-Timestamp` is not signed (so no window is kept on it); the unsigned
 * `Request-ID` is the message id and `Sentry-Hook-Resource` the event.
 */
const sentryScheme = () =>
  new HmacScheme({
    name: 'sentry',
    header: 'sentry-hook-signature',
    idHeader: 'request-id',
    eventTypeHeader: 'sentry-hook-resource',
  });

const { provider, preset } = sharedSecretProvider({
  id: 'sentry',
  displayName: 'Sentry',
  docsUrl: 'https://docs.sentry.io/organization/integrations/integration-platform/webhooks/',
  presetName: 'sentry',
  secretOption: 'clientSecret',
  verification: '`Sentry-Hook-Signature`: hex HMAC-SHA256 of the body (client secret)',
  messageId: { header: 'request-id' },
  eventType: { header: 'sentry-hook-resource' },
  vectors: 'self-computed',
  scheme: sentryScheme,
  generateSecret: randomHexSecret,
  sampleEvent: jsonEvent(() => ({
    action: 'created',
    data: { issue: { id: String(Date.now()) } },
    installation: { uuid: randomUUID() },
  })),
});

/** Sentry integration-platform webhooks. @publicApi */
export const sentryProvider = provider;

/**
 * Sentry: `Sentry-Hook-Signature` over the body, `Request-ID` as the message id.
 * @publicApi
 * @example endpoints: { sentry: sentry({ clientSecret: process.env.SENTRY_CLIENT_SECRET }) }
 */
export const sentry = preset;
