import type { IncomingWebhook } from './http-request';
import { readEventType } from './event-type';

const incoming = (body: string, headers: Record<string, string> = {}, parsedBody?: unknown): IncomingWebhook =>
  ({ method: 'POST', url: '/hooks', headers, rawBody: Buffer.from(body), parsedBody }) as IncomingWebhook;

describe('readEventType', () => {
  it('reads a header, a nested JSON field, the first present of several form fields', () => {
    expect(readEventType({ header: 'X-GitHub-Event' }, incoming('{}', { 'x-github-event': 'push' }))).toBe('push');
    expect(readEventType({ bodyField: 'event.type' }, incoming('{"event":{"type":"app_mention"}}'))).toBe(
      'app_mention',
    );
    const form = incoming('MessageSid=SM1&MessageStatus=delivered');
    expect(readEventType({ bodyFields: ['SmsStatus', 'MessageStatus'] }, form)).toBe('delivered');
  });

  it('prefers the body the platform parsed', () => {
    expect(readEventType({ bodyField: 'type' }, incoming('not json', {}, { type: 'parsed.type' }))).toBe('parsed.type');
  });

  it('answers undefined for what is absent, not text or not an object, and cuts long values', () => {
    expect(readEventType(undefined, incoming('{"type":"x"}'))).toBeUndefined();
    expect(readEventType({ bodyField: 'type' }, incoming('{"type":{"a":1}}'))).toBeUndefined();
    expect(readEventType({ bodyField: 'type' }, incoming('{"type":'))).toBeUndefined();
    expect(readEventType({ bodyField: 'type' }, incoming('["type"]'))).toBeUndefined();
    expect(readEventType({ bodyField: 'constructor' }, incoming('{}'))).toBeUndefined();
    expect(readEventType({ bodyField: 'a.b' }, incoming('{"a":"text"}'))).toBeUndefined();
    expect(readEventType({ bodyField: 'type' }, incoming(JSON.stringify({ type: 'y'.repeat(500) })))).toBe(
      'y'.repeat(128),
    );
  });
});
