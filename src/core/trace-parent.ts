// The W3C `traceparent` of a span context (https://www.w3.org/TR/trace-context/#traceparent-header),
// kept with an inbox job so the span of each attempt can link to the request that stored it. Only
// the ids and the flags: never `tracestate` or baggage, which may carry anything.

const TRACE_PARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;

/** The parts of an OpenTelemetry `SpanContext` a link needs. @internal */
export interface TraceParentContext {
  traceId: string;
  spanId: string;
  traceFlags: number;
  isRemote?: boolean;
}

/** `00-{trace id}-{span id}-{flags}`, or `undefined` for a missing or invalid (all-zero) context. @internal */
export function toTraceParent(context: object | undefined): string | undefined {
  const c = context as Partial<TraceParentContext> | undefined;
  if (!c || typeof c.traceId !== 'string' || typeof c.spanId !== 'string') return undefined;
  if (!TRACE_ID.test(c.traceId) || !SPAN_ID.test(c.spanId) || /^0+$/.test(c.traceId) || /^0+$/.test(c.spanId)) {
    return undefined;
  }
  const flags = Number.isInteger(c.traceFlags) ? (c.traceFlags! & 0xff).toString(16).padStart(2, '0') : '00';
  return `00-${c.traceId}-${c.spanId}-${flags}`;
}

/** The span context of a stored `traceparent` (remote: it comes from another process), else `undefined`. @internal */
export function fromTraceParent(traceParent: string | undefined): TraceParentContext | undefined {
  const match = traceParent === undefined ? null : TRACE_PARENT.exec(traceParent);
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return undefined;
  return { traceId: match[1]!, spanId: match[2]!, traceFlags: parseInt(match[3]!, 16), isRemote: true };
}
