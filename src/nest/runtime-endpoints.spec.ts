import { buildRuntimeEndpoint, runtimeDefinition } from './runtime-endpoints';
import { InMemoryEndpointStore } from '../storage/in-memory/in-memory-endpoint-store';

// A stored definition is checked with the checks of start-up, and names what is wrong.
const stored = (provider: string, options: Record<string, unknown> = {}, challenge?: Record<string, unknown>) => ({
  name: 'tenant-1',
  provider,
  options,
  secretOptions: {},
  ...(challenge ? { challenge } : {}),
  enabled: true,
});

describe('run-time endpoint definitions', () => {
  it('builds a catalogue preset by name with its options', () => {
    const endpoint = buildRuntimeEndpoint(stored('stripe', { toleranceSeconds: 60 }));
    expect([endpoint.name, endpoint.provider, endpoint.toleranceSeconds]).toEqual(['tenant-1', 'stripe', 60]);
  });

  it('builds a generic HMAC scheme with declarative challenge rules', () => {
    const endpoint = buildRuntimeEndpoint(
      stored('hmac', { header: 'x-sig', prefix: 'sha256=' }, { detect: 'http_method == "GET"', body: 'ok' }),
    );
    expect([endpoint.provider, endpoint.schemes[0].name, endpoint.challenge?.kind]).toEqual([
      'hmac',
      'hmac',
      'declarative',
    ]);
  });

  it('refuses a CEL rule that does not compile, naming the field and the position', () => {
    expect(() =>
      buildRuntimeEndpoint(stored('hmac', { header: 'x-sig' }, { detect: 'http_method == "POST" &&& x' })),
    ).toThrow(
      'Webhook endpoint "tenant-1": challenge.detect at line 1, column 25: syntax error: Unexpected character: &.',
    );
  });

  it('refuses an unknown preset, a missing URL, options that take code, and rules on a preset', () => {
    expect(() => runtimeDefinition(stored('nope'))).toThrow(/^provider: "nope" is no preset/);
    expect(() => runtimeDefinition(stored('twilio'))).toThrow(/^options: .*URL/);
    expect(() => runtimeDefinition(stored('twilio', { url: 'https://example.com/t' }))).not.toThrow();
    for (const key of ['also', 'challenge', 'generateSecret', '__proto__', 'a-b']) {
      expect(() => runtimeDefinition(stored('stripe', JSON.parse(`{"${key}": 1}`)))).toThrow(/^options: /);
    }
    expect(() => runtimeDefinition(stored('stripe', {}, { detect: 'true' }))).toThrow(/^challenge: /);
    expect(() => runtimeDefinition(stored('hmac', {}))).toThrow(/signature header/);
  });
});

describe('InMemoryEndpointStore', () => {
  it('creates, refuses duplicates and more than the maximum, updates and keeps copies', async () => {
    const store = new InMemoryEndpointStore({ maxEndpoints: 1 });
    const options = { toleranceSeconds: 1 };
    await store.create({ ...stored('stripe', options) });
    options.toleranceSeconds = 2;
    expect(store.get('tenant-1')?.options).toEqual({ toleranceSeconds: 1 });
    await expect(store.create(stored('stripe'))).rejects.toMatchObject({ code: 'endpoint_exists' });
    await expect(store.create({ ...stored('stripe'), name: 'other' })).rejects.toMatchObject({
      code: 'too_many_endpoints',
    });
    await expect(store.update({ ...stored('stripe'), name: 'other' })).rejects.toMatchObject({
      code: 'unknown_endpoint',
    });
    const updated = await store.update({ ...stored('stripe'), enabled: false });
    expect([updated.enabled, (await store.list()).length]).toEqual([false, 1]);
  });
});
