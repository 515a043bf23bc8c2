import { MsGraphScheme } from '../core/schemes/ms-graph.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { msGraphChallenge } from './challenges';
import { definePreset, randomUrlSafeSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface MsGraphPresetOptions extends PresetOptions {
  /** The `clientState` given when creating the subscription (up to 128 characters), or several. */
  readonly clientState?: SecretOrSecrets;
}

/**
 * Microsoft Graph change notifications: every notification's `clientState` must be a live secret
 * (Graph signs nothing), and `msGraphChallenge()` answers the `validationToken` check. A rotation
 * generates a 43-character `clientState` for the next subscription.
 * @publicApi
 * @example endpoints: { graph: msGraph({ clientState: process.env.GRAPH_CLIENT_STATE }) }
 */
export function msGraph(options: MsGraphPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    {
      provider: 'ms-graph',
      scheme: new MsGraphScheme(),
      secrets: options.clientState,
      challenge: msGraphChallenge(),
      generateSecret: randomUrlSafeSecret,
      // Graph sends identical bodies for distinct changes (a drive's "/me/drive/root updated"), and
      // whoever captured one holds the clientState and can forge any: content deduplication would
      // lose changes and stop nobody. Not deduplicated.
      dedupeSignedContent: false,
    },
    options,
  );
}
