// Traces through @opentelemetry/api, an optional peer: without it every helper here does nothing,
// and with it but without an SDK the API's own tracer is a no-op. Attributes are names, outcomes
// and codes only: never a secret, a header or a body.
import type * as OtelApi from '@opentelemetry/api';

/** The instrumentation scope name of Hookwarden's spans. @publicApi */
export const HOOKWARDEN_TRACER = 'nestjs-hookwarden';

let api: typeof OtelApi | null | undefined;

/** The OpenTelemetry API when installed, loaded once. @internal */
export function otelApi(): typeof OtelApi | undefined {
  if (api === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      api = require('@opentelemetry/api') as typeof OtelApi;
    } catch {
      api = null;
    }
  }
  return api ?? undefined;
}

/** A started span, or `undefined` without the API. @internal */
export type HookwardenSpan = OtelApi.Span | undefined;

/** Starts a span as a child of `parent` (a span), else of the active context. @internal */
export function startSpan(
  name: string,
  attributes: Record<string, string | number | boolean | undefined>,
  parent?: HookwardenSpan,
  links?: readonly OtelApi.SpanContext[],
): HookwardenSpan {
  const otel = otelApi();
  if (!otel) return undefined;
  const context = parent ? otel.trace.setSpan(otel.context.active(), parent) : otel.context.active();
  const clean: OtelApi.Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) clean[key] = value;
  return otel.trace
    .getTracer(HOOKWARDEN_TRACER)
    .startSpan(name, { attributes: clean, links: links?.map((context) => ({ context })) }, context);
}

/** Ends a span with its outcome; an error status carries the code, never a message. @internal */
export function endSpan(
  span: HookwardenSpan,
  attributes: Record<string, string | number | undefined> = {},
  failed = false,
): void {
  if (!span) return;
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) span.setAttribute(key, value);
  if (failed)
    span.setStatus({ code: 2 /* SpanStatusCode.ERROR */, message: String(attributes['hookwarden.code'] ?? '') });
  span.end();
}

/** The context of a span, for a link from a later span (a batch, an inbox job). @internal */
export function spanContextOf(span: HookwardenSpan): OtelApi.SpanContext | undefined {
  return span?.spanContext();
}
