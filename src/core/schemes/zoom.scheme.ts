import { HmacScheme } from '../engines/hmac.engine';

/** @publicApi */
export interface ZoomSchemeOptions {
  /**
   * How far `x-zm-request-timestamp` may be from the time of receipt, in either direction. Zoom
   * documents none; five minutes is the common choice and matches Slack's identical scheme.
   * @default 300
   */
  readonly toleranceSeconds?: number;
}

/**
 * Zoom: `x-zm-signature: v0=<hex HMAC-SHA256 of "v0:<timestamp>:<body>">` with
 * `x-zm-request-timestamp`, keyed with the app's Secret Token (the same shape as Slack's).
 * @publicApi
 */
export class ZoomScheme extends HmacScheme {
  constructor(options: ZoomSchemeOptions = {}) {
    super({
      name: 'zoom',
      header: 'x-zm-signature',
      prefix: 'v0=',
      template: 'v0:{timestamp}:{body}',
      timestampHeader: 'x-zm-request-timestamp',
      toleranceSeconds: options.toleranceSeconds ?? 300,
      // Zoom sends JSON objects only (and signs `v0:` before the body): never a plainToken.
      jsonObjectBody: true,
    });
  }
}
