import { SlackScheme } from '../core/schemes/slack.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { slackChallenge } from './challenges';
import { definePreset, random32Hex, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface SlackPresetOptions extends PresetOptions {
  /** The app's Signing Secret (Basic Information → App Credentials), or several during a rotation. */
  readonly signingSecret?: SecretOrSecrets;
  /**
   * How far `X-Slack-Request-Timestamp` may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Slack Events API, slash commands and interactivity: v0 signatures over the raw body (JSON or
 * form), a 300 s window, the Events API `event_id` as the message id, and `slackChallenge()` for
 * `url_verification` and `ssl_check` (verified before they are answered).
 * @publicApi
 * @example endpoints: { slack: slack({ signingSecret: process.env.SLACK_SIGNING_SECRET }) }
 */
export function slack(options: SlackPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'slack',
      scheme: new SlackScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.signingSecret,
      generateSecret: random32Hex, // a Slack signing secret is 32 hex digits
      challenge: slackChallenge(),
    },
    options,
  );
}
