import { declarativeChallenge } from '../core/challenges/declarative/declarative-challenge.strategy';
import { DiscordScheme } from '../core/schemes/discord.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, providerIssuesKey, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface DiscordPresetOptions extends PresetOptions {
  /** The application's public key, 64 hex digits (Developer Portal → General Information). */
  readonly publicKey?: SecretOrSecrets;
  /**
   * How far `X-Signature-Timestamp` may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Discord interactions: Ed25519 `X-Signature-Ed25519` over timestamp + body with the application's
 * public key, the interaction `id` as the message id. The `PING` (type 1) is answered `{"type":1}`
 * once its signature is verified, as Discord requires before it saves the URL; Discord's deliberate
 * bad signatures get 401.
 * @publicApi
 * @example endpoints: { discord: discord({ publicKey: process.env.DISCORD_PUBLIC_KEY }) }
 */
export function discord(options: DiscordPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'discord',
      scheme: new DiscordScheme({ toleranceSeconds: options.toleranceSeconds }),
      secrets: options.publicKey,
      generateSecret: providerIssuesKey(
        'Discord issues the public key (Developer Portal → General Information): send it as `secret`.',
      ),
      // A challenge as data (no factory exists for Discord): PING → PONG, signed.
      challenge: declarativeChallenge({
        detect: 'http_method == "POST" && parsed_body.type == 1',
        body: { type: 1 },
        signed: true,
      }),
    },
    options,
  );
}
