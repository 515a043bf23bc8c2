import fc from 'fast-check';
import { WebhookConfigurationError } from '../errors';
import { at, hmac, refusal, secret, webhookRequest } from '../../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../../test/support/scheme-properties';
import { HmacScheme, type HmacSchemeOptions } from './hmac.engine';

// The generic scheme, configured as data. Expected values are computed here with node:crypto,
// following each configuration's documented algorithm.
const NOW = 1_700_000_000;

/** A sha512 base64 signature with a prefix over id, timestamp and body. */
const ACME: HmacSchemeOptions = {
  header: 'X-Acme-Signature',
  prefix: 'sha512=',
  algorithm: 'sha512',
  encoding: 'base64',
  template: '{id}|{timestamp}|{body}',
  idHeader: 'X-Acme-Id',
  timestampHeader: 'X-Acme-Time',
};

describe('HmacScheme', () => {
  describe('configured as data', () => {
    it('accepts a sha512 base64 signature with a prefix over id, timestamp and body', () => {
      const scheme = new HmacScheme({ name: 'acme', ...ACME });
      const body = '{"ok":true}';
      const signature = 'sha512=' + hmac('sha512', 'k3y', `evt_1|${NOW}|`, body).toString('base64');
      const request = webhookRequest({
        headers: { 'x-acme-signature': signature, 'x-acme-id': 'evt_1', 'x-acme-time': String(NOW) },
        body,
      });
      expect(scheme.verify(request, [secret('k3y', 4)], at(NOW))).toEqual({
        secretVersion: 4,
        messageId: 'evt_1',
        signedAt: new Date(NOW * 1000),
      });
      expect(scheme.toleranceSeconds).toBe(300);
    });

    it('signs the configured URL, never the Host header', () => {
      const url = 'https://public.example/hooks/acme?x=1';
      const scheme = new HmacScheme({ header: 'sig', algorithm: 'sha1', template: '{url}{body}', url });
      const good = hmac('sha1', 'k', url, 'b').toString('hex');
      const request = webhookRequest({ headers: { sig: good, host: 'evil.example' }, body: 'b' });
      expect(scheme.verify(request, [secret('k')], at(NOW)).secretVersion).toBe(1);
      const forHost = hmac('sha1', 'k', 'https://evil.example/hooks/acme?x=1', 'b').toString('hex');
      expect(
        refusal(() => scheme.verify(webhookRequest({ headers: { sig: forHost }, body: 'b' }), [secret('k')], at(NOW))),
      ).toBe('no_matching_signature');
    });

    it('reports an unsigned event-type header (eventTypeHeader) for the content dedupe key, and only when present', () => {
      const scheme = new HmacScheme({ header: 'sig', idHeader: 'x-id', eventTypeHeader: 'X-Topic' });
      const sig = hmac('sha256', 'k', '{}').toString('hex');
      const headers = { sig, 'x-id': 'd-1', 'x-topic': 'orders/paid' };
      expect(scheme.verify(webhookRequest({ headers, body: '{}' }), [secret('k')], at(NOW))).toEqual({
        secretVersion: 1,
        messageId: 'd-1',
        signedAt: undefined,
        unsignedMessageId: true,
        unsignedEventType: 'orders/paid',
      });
      const without = scheme.verify(webhookRequest({ headers: { sig }, body: '{}' }), [secret('k')], at(NOW));
      expect(without.unsignedEventType).toBeUndefined();
      // A malformed type is refused like a malformed id, never folded into a key.
      expect(
        refusal(() =>
          scheme.verify(webhookRequest({ headers: { sig, 'x-topic': 'a b' }, body: '{}' }), [secret('k')], at(NOW)),
        ),
      ).toBe('invalid_header');
    });

    it('accepts any one entry of a signature list and skips entries of other versions', () => {
      const scheme = new HmacScheme({ header: 'sig', prefix: 'v1=', separator: ',' });
      const good = hmac('sha256', 'k', '{}').toString('hex');
      const header = `v0=${'00'.repeat(32)}, v1=zz, v1=${'11'.repeat(32)},v1=${good}`;
      expect(scheme.verify(webhookRequest({ headers: { sig: header }, body: '{}' }), [secret('k')], at(NOW))).toEqual({
        secretVersion: 1,
        messageId: undefined,
        signedAt: undefined,
      });
      const none = webhookRequest({ headers: { sig: `v0=${good}` }, body: '{}' });
      expect(refusal(() => scheme.verify(none, [secret('k')], at(NOW)))).toBe('no_matching_signature');
      const tooMany = webhookRequest({ headers: { sig: Array(33).fill(`v1=${good}`).join(',') }, body: '{}' });
      expect(refusal(() => scheme.verify(tooMany, [secret('k')], at(NOW)))).toBe('invalid_header');
    });

    it('decodes base64 and hex keys when asked', () => {
      const key = Buffer.from('0123456789abcdef0123456789abcdef');
      for (const [keyEncoding, text] of [
        ['base64', key.toString('base64')],
        ['hex', key.toString('hex')],
      ] as const) {
        const scheme = new HmacScheme({ header: 'sig', keyEncoding });
        const request = webhookRequest({ headers: { sig: hmac('sha256', key, '{}').toString('hex') }, body: '{}' });
        expect(scheme.verify(request, [secret(text)], at(NOW)).secretVersion).toBe(1);
        expect(() => scheme.validateSecret('not base64 or hex!')).toThrow(WebhookConfigurationError);
      }
    });

    it('reads the message id from a JSON body field once the signature matched', () => {
      const scheme = new HmacScheme({ header: 'sig', idField: 'event.id' });
      const body = '{"event":{"id":"evt_42"}}';
      const request = webhookRequest({ headers: { sig: hmac('sha256', 'k', body).toString('hex') }, body });
      expect(scheme.verify(request, [secret('k')], at(NOW)).messageId).toBe('evt_42');
      const proto = '{"event":{"__proto__":{"id":"x"}}}';
      const viaProto = webhookRequest({ headers: { sig: hmac('sha256', 'k', proto).toString('hex') }, body: proto });
      expect(scheme.verify(viaProto, [secret('k')], at(NOW)).messageId).toBeUndefined();
    });

    it('refuses a timestamp with leading zeros: the id and timestamp of `{id}{timestamp}` cannot trade digits', () => {
      // An outside review replayed a delivery of id evt_1000 as evt_100 with timestamp 0<ts>, and as
      // evt_10 with 00<ts>: the same signed string, a new id each time (a new dedupe key).
      const scheme = new HmacScheme({ name: 'acme', ...ACME, template: '{id}{timestamp}{body}' });
      const body = '{"ok":true}';
      const signature = 'sha512=' + hmac('sha512', 'k3y', `evt_1000${NOW}`, body).toString('base64');
      const run = (id: string, time: string) =>
        scheme.verify(
          webhookRequest({ headers: { 'x-acme-signature': signature, 'x-acme-id': id, 'x-acme-time': time }, body }),
          [secret('k3y', 1)],
          at(NOW),
        );
      expect(run('evt_1000', String(NOW))).toMatchObject({ messageId: 'evt_1000' });
      expect(refusal(() => run('evt_100', `0${NOW}`))).toBe('invalid_header');
      expect(refusal(() => run('evt_10', `00${NOW}`))).toBe('invalid_header');
      const millis = new HmacScheme({ name: 'acme', ...ACME, timestampFormat: 'unix-milliseconds' });
      const headers = { 'x-acme-signature': signature, 'x-acme-id': 'evt_1', 'x-acme-time': `0${NOW}000` };
      expect(refusal(() => millis.verify(webhookRequest({ headers, body }), [secret('k3y', 1)], at(NOW)))).toBe(
        'invalid_header',
      );
    });

    it('parses millisecond and RFC 3339 timestamps strictly', () => {
      const millis = new HmacScheme({
        header: 'sig',
        template: '{timestamp}{body}',
        timestampHeader: 'ts',
        timestampFormat: 'unix-milliseconds',
      });
      const ms = String(NOW * 1000 + 999);
      const ok = webhookRequest({
        headers: { sig: hmac('sha256', 'k', ms, '{}').toString('hex'), ts: ms },
        body: '{}',
      });
      expect(millis.verify(ok, [secret('k')], at(NOW)).signedAt).toEqual(new Date(NOW * 1000));
      const rfc = new HmacScheme({
        header: 'sig',
        template: '{timestamp}{body}',
        timestampHeader: 'ts',
        timestampFormat: 'rfc3339',
      });
      for (const bad of ['2023-11-14T22:13:20', '2023-02-30T00:00:00Z', '2023-11-14 22:13:20Z', '1700000000']) {
        const request = webhookRequest({
          headers: { sig: hmac('sha256', 'k', bad, '{}').toString('hex'), ts: bad },
          body: '{}',
        });
        expect(refusal(() => rfc.verify(request, [secret('k')], at(NOW)))).toBe('invalid_header');
      }
    });
  });

  describe('sign()', () => {
    const body = Buffer.from('{"id":"evt_1"}');
    const input = { body, key: 'k3y', timestamp: NOW, id: 'msg_1', contentType: 'application/json' };

    it('writes prefix + digest, id, timestamp and event type headers as an independent HMAC computes them', () => {
      const scheme = new HmacScheme({ ...ACME, eventTypeHeader: 'X-Acme-Event' });
      const expected = 'sha512=' + hmac('sha512', 'k3y', `msg_1|${NOW}|`, body).toString('base64');
      expect(scheme.sign({ ...input, eventType: 'order.paid' }).headers).toEqual({
        'x-acme-signature': expected,
        'x-acme-id': 'msg_1',
        'x-acme-time': String(NOW),
        'x-acme-event': 'order.paid',
      });
      // No event type given: no header rather than an empty one.
      expect(scheme.sign(input).headers).not.toHaveProperty('x-acme-event');
    });

    it('signs the configured URL and decodes base64 and hex keys like verify', () => {
      const url = 'https://public.example/hooks';
      const scheme = new HmacScheme({ header: 'sig', algorithm: 'sha1', template: '{url}{body}', url });
      expect(scheme.sign(input).headers).toEqual({ sig: hmac('sha1', 'k3y', url, body).toString('hex') });
      const key = Buffer.from('0123456789abcdef0123456789abcdef');
      for (const [keyEncoding, text] of [
        ['base64', key.toString('base64')],
        ['hex', key.toString('hex')],
      ] as const) {
        const keyed = new HmacScheme({ header: 'sig', keyEncoding });
        expect(keyed.sign({ ...input, key: text }).headers.sig).toBe(hmac('sha256', key, body).toString('hex'));
      }
    });

    it.each([
      ['unix-seconds', String(NOW)],
      ['unix-milliseconds', String(NOW * 1000)],
      ['rfc3339', '2023-11-14T22:13:20Z'],
    ] as const)('writes a %s timestamp that verify reads back', (timestampFormat, written) => {
      const scheme = new HmacScheme({
        header: 'sig',
        prefix: 'v1=',
        template: '{id}.{timestamp}.{body}',
        idHeader: 'x-id',
        timestampHeader: 'ts',
        timestampFormat,
      });
      const signed = scheme.sign(input);
      expect(signed.headers.ts).toBe(written);
      expect(signed.headers.sig).toBe('v1=' + hmac('sha256', 'k3y', `msg_1.${written}.`, body).toString('hex'));
      const request = webhookRequest({ headers: { ...signed.headers }, body });
      expect(scheme.verify(request, [secret('k3y', 2)], at(NOW))).toEqual({
        secretVersion: 2,
        messageId: 'msg_1',
        signedAt: new Date(NOW * 1000),
      });
    });

    it('round trips through verify for a signature list, a body id field and an unsigned id header', () => {
      for (const options of [
        { header: 'sig', prefix: 'v1=', separator: ',' },
        { header: 'sig', idField: 'id' },
        { header: 'sig', idHeader: 'x-id', eventTypeHeader: 'x-topic' },
      ] satisfies HmacSchemeOptions[]) {
        const scheme = new HmacScheme(options);
        const signed = scheme.sign({ ...input, eventType: 'orders/paid' });
        const verified = scheme.verify(
          webhookRequest({ headers: { ...signed.headers }, body }),
          [secret('k3y')],
          at(NOW),
        );
        expect(verified.secretVersion).toBe(1);
        const tampered = webhookRequest({ headers: { ...signed.headers }, body: '{"id":"evt_2"}' });
        expect(refusal(() => scheme.verify(tampered, [secret('k3y')], at(NOW)))).toBe('no_matching_signature');
      }
    });

    it('refuses a key verify could not use', () => {
      expect(() => new HmacScheme({ header: 'sig' }).sign({ ...input, key: '' })).toThrow(WebhookConfigurationError);
      expect(() => new HmacScheme({ header: 'sig', keyEncoding: 'hex' }).sign({ ...input, key: 'zz' })).toThrow(
        WebhookConfigurationError,
      );
    });
  });

  describe('configuration mistakes stop start-up', () => {
    it.each<[string, HmacSchemeOptions]>([
      ['no header', { header: '' }],
      ['a template without {body}', { header: 'sig', template: '{timestamp}', timestampHeader: 'ts' }],
      ['an unknown placeholder', { header: 'sig', template: '{body}{nonce}' }],
      ['{url} without url', { header: 'sig', template: '{url}{body}' }],
      ['a relative url', { header: 'sig', template: '{url}{body}', url: '/hooks' }],
      ['{id} without idHeader', { header: 'sig', template: '{id}{body}' }],
      ['{timestamp} without timestampHeader', { header: 'sig', template: '{timestamp}{body}' }],
      ['an unsigned timestamp header', { header: 'sig', timestampHeader: 'ts' }],
      ['idHeader and idField together', { header: 'sig', idHeader: 'id', idField: 'id' }],
      ['no signature header in a list', { header: [] }],
      [
        'timestampHeader and bodyTimestamp together',
        { header: 'sig', template: '{timestamp}{body}', timestampHeader: 'ts', bodyTimestamp: { field: 't' } },
      ],
      ['an unknown algorithm', { header: 'sig', algorithm: 'md5' as never }],
      ['an unknown encoding', { header: 'sig', encoding: 'base32' as never }],
      [
        'a zero tolerance',
        { header: 'sig', template: '{timestamp}{body}', timestampHeader: 'ts', toleranceSeconds: 0 },
      ],
    ])('%s', (_case, options) => {
      expect(() => new HmacScheme(options)).toThrow(WebhookConfigurationError);
    });

    it('refuses an empty secret', () => {
      expect(() => new HmacScheme({ header: 'sig' }).validateSecret('')).toThrow(WebhookConfigurationError);
    });
  });

  describe('refusals', () => {
    const scheme = new HmacScheme({
      header: 'sig',
      prefix: 'sha256=',
      template: '{timestamp}.{body}',
      timestampHeader: 'ts',
    });
    const sign = (key: string, ts: number, body: string) =>
      'sha256=' + hmac('sha256', key, `${ts}.`, body).toString('hex');
    const request = (headers: Record<string, string>, body = 'b') => webhookRequest({ headers, body });

    it('missing and malformed headers are 400 codes', () => {
      expect(refusal(() => scheme.verify(request({ ts: String(NOW) }), [secret('k')], at(NOW)))).toBe('missing_header');
      expect(refusal(() => scheme.verify(request({ sig: sign('k', NOW, 'b') }), [secret('k')], at(NOW)))).toBe(
        'missing_header',
      );
      for (const sig of [
        'sha256=' + 'a'.repeat(63),
        'sha1=' + 'a'.repeat(64),
        'a'.repeat(64),
        'sha256=' + 'g'.repeat(64),
      ]) {
        expect(refusal(() => scheme.verify(request({ sig, ts: String(NOW) }), [secret('k')], at(NOW)))).toBe(
          'invalid_header',
        );
      }
      const trailing = request({ sig: sign('k', NOW, 'b'), ts: `${NOW}abc` });
      expect(refusal(() => scheme.verify(trailing, [secret('k')], at(NOW)))).toBe('invalid_header');
    });

    it('a tampered body or a wrong key matches nothing; no secret fails closed', () => {
      const headers = { sig: sign('k', NOW, 'b'), ts: String(NOW) };
      expect(refusal(() => scheme.verify(request(headers, 'B'), [secret('k')], at(NOW)))).toBe('no_matching_signature');
      expect(refusal(() => scheme.verify(request(headers), [secret('other')], at(NOW)))).toBe('no_matching_signature');
      expect(refusal(() => scheme.verify(request(headers), [], at(NOW)))).toBe('no_secret_configured');
    });

    it('a timestamp outside the window is refused in both directions; the edge passes', () => {
      const signedAt = (ts: number) => request({ sig: sign('k', ts, 'b'), ts: String(ts) });
      expect(refusal(() => scheme.verify(signedAt(NOW - 301), [secret('k')], at(NOW)))).toBe('timestamp_too_old');
      expect(refusal(() => scheme.verify(signedAt(NOW + 301), [secret('k')], at(NOW)))).toBe('timestamp_too_new');
      expect(scheme.verify(signedAt(NOW - 300), [secret('k')], at(NOW)).secretVersion).toBe(1);
    });

    it('tries every live secret during a rotation and reports the one that matched', () => {
      const secrets = [secret('old', 1), secret('new', 2)];
      for (const [key, version] of [
        ['old', 1],
        ['new', 2],
      ] as const) {
        const verified = scheme.verify(request({ sig: sign(key, NOW, 'b'), ts: String(NOW) }), secrets, at(NOW));
        expect(verified.secretVersion).toBe(version);
      }
    });
  });

  describe('properties', () => {
    describeSchemeProperties({
      scheme: new HmacScheme({
        header: 'x-sig',
        prefix: 'v1=',
        algorithm: 'sha512',
        encoding: 'base64',
        template: '{id}:{timestamp}:{body}',
        idHeader: 'x-id',
        timestampHeader: 'x-ts',
      }),
      secrets: [secret('first', 1), secret('second', 2)],
      now: NOW,
      headers: ['x-sig', 'x-id', 'x-ts'],
      covers: ['body', 'id', 'timestamp'],
      expectedId: (message) => message.id,
      request: (message, signed) =>
        webhookRequest({
          headers: {
            'x-id': message.id,
            'x-ts': String(message.timestamp),
            'x-sig':
              'v1=' + hmac('sha512', 'second', `${signed.id}:${signed.timestamp}:`, signed.body).toString('base64'),
          },
          body: message.body,
        }),
    });

    it('parses any signature list without throwing anything but the typed error', () => {
      const scheme = new HmacScheme({ header: 'sig', prefix: 'v1=', separator: ',' });
      fc.assert(
        fc.property(fc.array(fc.string({ unit: 'binary', maxLength: 80 }), { maxLength: 40 }), (entries) => {
          expect(() =>
            scheme.verify(webhookRequest({ headers: { sig: entries.join(',') } }), [secret('k')], at(NOW)),
          ).toThrow(expect.objectContaining({ name: 'WebhookVerificationError' }));
        }),
        { numRuns: 150 },
      );
    });
  });
});
