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
 * `dropboxChallenge()` for the `GET ?challenge=` echo.
 * @publicApi
 * @example endpoints: { dropbox: dropbox({ appSecret: process.env.DROPBOX_APP_SECRET }) }
 */
export function dropbox(options: DropboxPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    { provider: 'dropbox', scheme: new DropboxScheme(), secrets: options.appSecret, challenge: dropboxChallenge() },
    options,
  );
}
