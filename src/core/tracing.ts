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

/**
 * The tracer of a registered SDK, else `undefined`: without one every span would be a no-op, and
 * making it (contexts, attribute copies) would still cost the hot path ~1.5 µs per request. The
 * global provider is the API's proxy; it has a delegate only once an SDK registered, and is asked
 * every time because an app (or a test) may register or disable one at any moment.
 * @internal
 */
export function activeTracer(): OtelApi.Tracer | undefined {
  const otel = otelApi();
  if (!otel) return undefined;
  const provider = otel.trace.getTracerProvider() as OtelApi.TracerProvider & {
    getDelegateTracer?(name: string): OtelApi.Tracer | undefined;
  };
  // Not the API's proxy (a provider set by other means): spans go to it as before.
  if (typeof provider.getDelegateTracer !== 'function') return provider.getTracer(HOOKWARDEN_TRACER);
  return provider.getDelegateTracer(HOOKWARDEN_TRACER);
}

/** A started span, or `undefined` without the API or without an SDK. @internal */
export type HookwardenSpan = OtelApi.Span | undefined;

/**
 * Starts a span as a child of `parent` (a span), as a new trace's root (`'root'`: work that runs
 * apart from the request, linked to it instead), else of the active context. @internal
 */
export function startSpan(
  name: string,
  attributes: Record<string, string | number | boolean | undefined>,
  parent?: HookwardenSpan | 'root',
  links?: readonly OtelApi.SpanContext[],
): HookwardenSpan {
  const tracer = activeTracer();
  if (!tracer) return undefined;
  const otel = otelApi()!;
  const context =
    parent === 'root'
      ? otel.ROOT_CONTEXT
      : parent
        ? otel.trace.setSpan(otel.context.active(), parent)
        : otel.context.active();
  const clean: OtelApi.Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) clean[key] = value;
  return tracer.startSpan(name, { attributes: clean, links: links?.map((context) => ({ context })) }, context);
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
