import { randomUUID } from 'node:crypto';
import { StatusOnlyStrategy } from '../core/challenges/status-only.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { isSuccess } from './challenge-answers';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';

/**
 * Intercom: `X-Hub-Signature: sha1=<hex HMAC-SHA1 of the body>`, keyed with the app's
 * `client_secret`. The notification's `id` is the message id.
 */
const SIGNATURE: HmacSchemeOptions = {
  name: 'intercom',
  header: 'x-hub-signature',
  prefix: 'sha1=',
  algorithm: 'sha1',
  idField: 'id',
};

/** @publicApi */
export interface IntercomPresetOptions extends PresetOptions {
  /** The app's `client_secret` (Developer Hub → Basic information), or several during a rotation. */
  readonly clientSecret?: SecretOrSecrets;
}

/**
 * Intercom webhooks: `X-Hub-Signature` (`sha1=`) over the body, the notification `id` as the
 * message id, and a bare `200` for the `HEAD` Intercom sends when the URL is saved.
 * @publicApi
 * @example endpoints: { intercom: intercom({ clientSecret: process.env.INTERCOM_CLIENT_SECRET }) }
 */
export function intercom(options: IntercomPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'intercom',
      scheme: intercomProvider.scheme(),
      secrets: options.clientSecret,
      // The same status-only check Trello uses; Intercom has no challenge factory of its own.
      challenge: new StatusOnlyStrategy({ match: { method: 'HEAD' } }),
    },
    options,
  );
}

/** @publicApi */
export const intercomProvider = defineProvider<IntercomPresetOptions>({
  id: 'intercom',
  displayName: 'Intercom',
  docsUrl: 'https://developers.intercom.com/docs/webhooks/setting-up-webhooks',
  presetName: 'intercom',
  presetOptions: '{ clientSecret }',
  verification: '`X-Hub-Signature: sha1=` hex HMAC-SHA1 of the body, keyed with the app’s `client_secret`',
  challenge: 'HEAD → 2xx',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'topic' },
  scheme: () => new HmacScheme(SIGNATURE),
  preset: intercom,
  testKey: () => {
    // An app's client_secret is a UUID.
    const secret = randomUUID();
    return { secret, signingKey: secret };
  },
  sampleEvent: () => ({
    contentType: 'application/json',
    body: JSON.stringify({
      type: 'notification_event',
      id: `notif_${randomUUID()}`,
      topic: 'ping',
      created_at: Math.floor(Date.now() / 1000),
      data: { item: { type: 'ping', message: 'something something interzen' } },
    }),
  }),
  challengeRequest: () => ({
    method: 'HEAD',
    headers: {},
    check: (answer) => (isSuccess(answer.status) ? undefined : 'expected 2xx'),
  }),
});
