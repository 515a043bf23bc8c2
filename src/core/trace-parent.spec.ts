import { fromTraceParent, toTraceParent } from './trace-parent';

// The example of the W3C Trace Context recommendation, §3.2.4.
const EXAMPLE = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('traceparent', () => {
  it('writes the ids and the flags of a span context, and reads them back as remote', () => {
    const context = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    expect(toTraceParent(context)).toBe(EXAMPLE);
    expect(toTraceParent({ ...context, traceFlags: 0 })).toBe(EXAMPLE.replace(/01$/, '00'));
    expect(fromTraceParent(EXAMPLE)).toEqual({ ...context, isRemote: true });
  });

  it('keeps nothing of an invalid context or string', () => {
    expect(toTraceParent(undefined)).toBeUndefined();
    expect(toTraceParent({ traceId: '0'.repeat(32), spanId: '00f067aa0ba902b7', traceFlags: 1 })).toBeUndefined();
    expect(
      toTraceParent({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: 'xyz', traceFlags: 1 }),
    ).toBeUndefined();
    for (const bad of [
      undefined,
      '',
      EXAMPLE.toUpperCase(),
      EXAMPLE.replace(/^00/, 'ff'),
      `${EXAMPLE}-extra`,
      `00-${'0'.repeat(32)}-00f067aa0ba902b7-01`,
      `00-4bf92f3577b34da6a3ce929d0e0e4736-${'0'.repeat(16)}-01`,
    ]) {
      expect(fromTraceParent(bad)).toBeUndefined();
    }
  });
});
