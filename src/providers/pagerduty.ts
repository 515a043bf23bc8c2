import { PagerDutyScheme } from '../core/schemes/pagerduty.scheme';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, type PresetOptions, type SecretOrSecrets } from './preset-options';

/** @publicApi */
export interface PagerDutyPresetOptions extends PresetOptions {
  /** The webhook subscription's secret (shown once when it is created), or several during a rotation. */
  readonly secret?: SecretOrSecrets;
}

/**
 * PagerDuty v3 webhooks: `X-PagerDuty-Signature` with one or more `v1=` entries, `event.id` as the
 * message id, no timestamp.
 * @publicApi
 * @example endpoints: { pagerduty: pagerduty({ secret: process.env.PAGERDUTY_WEBHOOK_SECRET }) }
 */
export function pagerduty(options: PagerDutyPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset({ provider: 'pagerduty', scheme: new PagerDutyScheme(), secrets: options.secret }, options);
}
