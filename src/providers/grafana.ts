import { randomBytes } from 'node:crypto';
import { HmacScheme } from '../core/engines/hmac.engine';
import type { WebhookEndpointDefinition } from './endpoint-definition';
import { definePreset, randomHexSecret, type PresetOptions, type SecretOrSecrets } from './preset-options';
import { defineProvider } from './provider';
import { jsonEvent, sameKey } from './provider-kit';

/**
 * Grafana Alerting's webhook contact point (Grafana 12+) can sign with HMAC-SHA256, lower-case hex,
 * no prefix: of the body, or of `timestamp:body` when a timestamp header is configured (Unix seconds).
 * The signature header is configurable; the UI's default is `X-Grafana-Alerting-Signature`, and
 * `grafana/alerting` falls back to `X-Grafana-Alert-Signature` when the field is left empty, so both
 * are read unless a name is given. The timestamp header has no default name.
 */
const DEFAULT_HEADERS = ['x-grafana-alerting-signature', 'x-grafana-alert-signature'];
const TOLERANCE_SECONDS = 300;

/** @publicApi */
export interface GrafanaPresetOptions extends PresetOptions {
  /** The contact point's HMAC secret (or several during a rotation, oldest first). */
  readonly secret?: SecretOrSecrets;
  /**
   * The signature header set on the contact point.
   * @default both `X-Grafana-Alerting-Signature` and `X-Grafana-Alert-Signature`
   */
  readonly header?: string;
  /** The timestamp header set on the contact point, if any: then `timestamp:body` is signed. */
  readonly timestampHeader?: string;
  /**
   * With `timestampHeader`: how far the timestamp may be from the time of receipt.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

type GrafanaSettings = Pick<GrafanaPresetOptions, 'header' | 'timestampHeader' | 'toleranceSeconds'>;

const grafanaScheme = ({ header, timestampHeader, toleranceSeconds }: GrafanaSettings = {}) =>
  new HmacScheme({
    name: 'grafana',
    header: header ?? DEFAULT_HEADERS,
    ...(timestampHeader
      ? { template: '{timestamp}:{body}', timestampHeader, toleranceSeconds: toleranceSeconds ?? TOLERANCE_SECONDS }
      : {}),
  });

/**
 * Grafana Alerting webhooks signed with HMAC (set a secret on the contact point): the body, or
 * `timestamp:body` with `timestampHeader`.
 * @publicApi
 * @example endpoints: { grafana: grafana({ secret: process.env.GRAFANA_WEBHOOK_SECRET, timestampHeader: 'X-Grafana-Alerting-Timestamp' }) }
 */
export function grafana(options: GrafanaPresetOptions = {}): WebhookEndpointDefinition {
  return definePreset(
    { provider: 'grafana', scheme: grafanaScheme(options), secrets: options.secret, generateSecret: randomHexSecret },
    options,
  );
}

/** Grafana Alerting webhook contact points with HMAC. @publicApi */
export const grafanaProvider = defineProvider<GrafanaPresetOptions>({
  id: 'grafana',
  displayName: 'Grafana Alerting',
  docsUrl:
    'https://grafana.com/docs/grafana/latest/alerting/configure-notifications/manage-contact-points/integrations/webhook-notifier/',
  presetName: 'grafana',
  presetOptions: '{ secret, header?, timestampHeader? }',
  verification: '`X-Grafana-Alerting-Signature` (configurable): hex HMAC-SHA256 of the body, or `timestamp:body`',
  eventType: { bodyField: 'status' },
  vectors: 'self-computed',
  scheme: (settings) => grafanaScheme({ toleranceSeconds: settings?.toleranceSeconds }),
  preset: grafana,
  testKey: () => sameKey(randomHexSecret()),
  sampleEvent: jsonEvent(() => ({
    receiver: 'hookwarden',
    status: 'firing',
    groupKey: `{}:{alertname="${randomBytes(6).toString('hex')}"}`,
    alerts: [],
  })),
});
