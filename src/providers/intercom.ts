import { randomUUID } from 'node:crypto';
import { StatusOnlyStrategy } from '../core/challenges/status-only.strategy';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { isSuccess } from './challenge-answers';
import type { PresetOptions, SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

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

const { provider, preset } = sharedSecretProvider<'clientSecret', IntercomPresetOptions>({
  id: 'intercom',
  vectors: 'self-computed',
  displayName: 'Intercom',
  docsUrl: 'https://developers.intercom.com/docs/webhooks/setting-up-webhooks',
  presetName: 'intercom',
  secretOption: 'clientSecret',
  testSecret: randomUUID, // an app's client_secret is a UUID
  // The same status-only check Trello uses; Intercom has no challenge factory of its own.
  challengeStrategy: () => new StatusOnlyStrategy({ match: { method: 'HEAD' } }),
  verification: '`X-Hub-Signature: sha1=` hex HMAC-SHA1 of the body, keyed with the app’s `client_secret`',
  challenge: 'HEAD → 2xx',
  messageId: { bodyField: 'id' },
  eventType: { bodyField: 'topic' },
  scheme: () => new HmacScheme(SIGNATURE),
  sampleEvent: jsonEvent(() => ({
    type: 'notification_event',
    id: `notif_${randomUUID()}`,
    topic: 'ping',
    created_at: Math.floor(Date.now() / 1000),
    data: { item: { type: 'ping', message: 'something something interzen' } },
  })),
  challengeRequest: () => ({
    method: 'HEAD',
    headers: {},
    check: (answer) => (isSuccess(answer.status) ? undefined : 'expected 2xx'),
  }),
});

/** @publicApi */
export const intercomProvider = provider;

/**
 * Intercom webhooks: `X-Hub-Signature` (`sha1=`) over the body, the notification `id` as the
 * message id, and a bare `200` for the `HEAD` Intercom sends when the URL is saved.
 * @publicApi
 * @example endpoints: { intercom: intercom({ clientSecret: process.env.INTERCOM_CLIENT_SECRET }) }
 */
export const intercom = preset;
