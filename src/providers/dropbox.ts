import { DropboxScheme } from '../core/schemes/dropbox.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { dropboxChallenge } from './challenges';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface DropboxPresetOptions extends PresetOptions {
  /** The app secret (App Console), or several during a rotation. */
  readonly appSecret?: SecretOrSecrets;
}

/**
 * Dropbox webhooks: hex `X-Dropbox-Signature` over the body (no timestamp or id), and
 * `dropboxChallenge()` for the `GET ?challenge=` echo. Identical notifications are each handled:
 * Dropbox sends the same body for distinct changes, so no content deduplication.
 * @publicApi
 * @example endpoints: { dropbox: dropbox({ appSecret: process.env.DROPBOX_APP_SECRET }) }
 */
export function dropbox(options: DropboxPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'dropbox',
      scheme: new DropboxScheme(),
      secrets: options.appSecret,
      challenge: dropboxChallenge(),
      // A notification only says "these accounts changed": identical bodies are distinct changes, and
      // handling one again is harmless (the handler fetches changes with its cursor). Not deduplicated.
      dedupeSignedContent: false,
    },
    options,
  );
}
