import { GitHubScheme } from '../core/schemes/github.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface GitHubPresetOptions extends PresetOptions {
  /** The webhook secret you entered in GitHub (or several during a rotation, oldest first). */
  readonly secret?: SecretOrSecrets;
}

/**
 * GitHub webhooks: `X-Hub-Signature-256` over the body, `X-GitHub-Delivery` as the message id, no
 * timestamp (duplicates are remembered for `dedupeWindowSeconds`). The `ping` sent when a hook is
 * created is an ordinary signed delivery. A rotation through the admin API generates 64 hex digits
 * to paste into GitHub.
 * @publicApi
 * @example endpoints: { github: github({ secret: process.env.GITHUB_WEBHOOK_SECRET }) }
 */
export function github(options: GitHubPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    { provider: 'github', scheme: new GitHubScheme(), secrets: options.secret, generateSecret: randomHexSecret },
    options,
  );
}
