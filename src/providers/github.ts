import { randomInt } from 'node:crypto';
import { HmacScheme, type HmacSchemeOptions } from '../core/engines/hmac.engine';
import { randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { jsonEvent, sharedSecretProvider } from './provider-kit';

/**
 * GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>`, keyed with the webhook
 * secret as UTF-8. GitHub signs no timestamp; `X-GitHub-Delivery` (kept across redeliveries) is the
 * message id. That header is not signed, so it drops redeliveries but cannot stop a deliberate replay.
 * `X-GitHub-Event` (unsigned too) enters the content dedupe key, so no two events are merged.
 */
const SIGNATURE: HmacSchemeOptions = {
  name: 'github',
  header: 'x-hub-signature-256',
  prefix: 'sha256=',
  idHeader: 'x-github-delivery',
  // The event name is only in this unsigned header (payloads carry an `action`, not the event).
  eventTypeHeader: 'x-github-event',
  // GitHub's event names: `push`, `pull_request_review_comment`, `projects_v2_item`.
  eventTypePattern: /^[a-z][a-z0-9_]{0,99}$/,
};

const githubScheme = () => new HmacScheme(SIGNATURE);

/** @publicApi */
export interface GitHubPresetOptions extends PresetOptions {
  /** The webhook secret you entered in GitHub (or several during a rotation, oldest first). */
  readonly secret?: SecretOrSecrets;
}

const { provider, preset } = sharedSecretProvider<'secret', GitHubPresetOptions>({
  id: 'github',
  vectors: 'verified',
  displayName: 'GitHub',
  docsUrl: 'https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries',
  presetName: 'github',
  secretOption: 'secret',
  generateSecret: randomHexSecret,
  verification: '`X-Hub-Signature-256: sha256=` hex HMAC-SHA256 of the body',
  messageId: { header: 'x-github-delivery' },
  eventType: { header: 'x-github-event' },
  scheme: githubScheme,
  // The `ping` GitHub sends when a hook is created (its type is in `X-GitHub-Event`).
  sampleEvent: jsonEvent(() => ({ zen: 'Keep it logically awesome.', hook_id: randomInt(1e8, 1e9) })),
});

/** GitHub repository, organisation and app webhooks. @publicApi */
export const githubProvider = provider;

/**
 * GitHub webhooks: `X-Hub-Signature-256` over the body, `X-GitHub-Delivery` as the message id, no
 * timestamp (duplicates are remembered for `dedupeWindowSeconds`). The `ping` sent when a hook is
 * created is an ordinary signed delivery. A rotation through the admin API generates 64 hex digits
 * to paste into GitHub.
 * @publicApi
 * @example endpoints: { github: github({ secret: process.env.GITHUB_WEBHOOK_SECRET }) }
 */
export const github = preset;
