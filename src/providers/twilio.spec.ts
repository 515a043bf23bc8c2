import { createHash, createHmac } from 'node:crypto';
import twilioSdk from 'twilio';
import { WebhookConfigurationError } from '../core/errors';
import { at, publishedVector, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { describeSchemeProperties } from '../../test/support/scheme-properties';
import { twilio, twilioProvider } from './twilio';

// UPSTREAM vectors: twilio/twilio-python tests/unit/test_request_validator.py; more signatures from
// Twilio's own Node SDK (twilioSdk.getExpectedTwilioSignature).
const BASE = publishedVector('twilio', 'signature');
const TOKEN = BASE.inputs.auth_token as string;
const FORM = 'application/x-www-form-urlencoded';
const NOW = 1_700_000_000;

function formBody(params: Record<string, string | string[]>): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const one of [value].flat()) form.append(name, one);
  return form.toString();
}

/** The request Twilio would send to `publicUrl`, arriving at the app as path + query. */
function twilioRequest(
  publicUrl: string,
  signature: string | undefined,
  body: string | Buffer = '',
  contentType = FORM,
) {
  const parsed = new URL(publicUrl);
  return webhookRequest({
    url: parsed.pathname + parsed.search,
    headers: { 'x-twilio-signature': signature, 'content-type': contentType, host: 'internal:8080' },
    body,
  });
}

describe('twilio scheme', () => {
  const scheme = twilioProvider.scheme({ url: 'https://mycompany.com/myapp.php' });
  const secrets = [secret(TOKEN, 1)];

  it('accepts the upstream form vector with the configured public URL and the query as received', () => {
    const request = twilioRequest(BASE.inputs.url, BASE.expected, formBody(BASE.inputs.params));
    expect(scheme.verify(request, secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('accepts the :443 and :80 port variants, as Twilio SDKs do, but not another port', () => {
    const with443 = publishedVector('twilio', 'signature_port443');
    const body = formBody(with443.inputs.params);
    expect(scheme.verify(twilioRequest(BASE.inputs.url, with443.expected, body), secrets, at(NOW)).secretVersion).toBe(
      1,
    );
    const explicit = twilioProvider.scheme({ url: 'https://mycompany.com:443/myapp.php' });
    expect(explicit.verify(twilioRequest(BASE.inputs.url, BASE.expected, body), secrets, at(NOW)).secretVersion).toBe(
      1,
    );

    const port80 = publishedVector('twilio', 'signature_http_port80');
    const http = twilioProvider.scheme({ url: 'http://mycompany.com/myapp.php' });
    expect(http.verify(twilioRequest(port80.inputs.url, port80.expected, body), secrets, at(NOW)).secretVersion).toBe(
      1,
    );

    const port1234 = publishedVector('twilio', 'signature_http_port1234');
    const custom = twilioProvider.scheme({ url: 'http://mycompany.com:1234/myapp.php' });
    expect(
      custom.verify(twilioRequest(port1234.inputs.url, port1234.expected, body), secrets, at(NOW)).secretVersion,
    ).toBe(1);
    expect(
      refusal(() => http.verify(twilioRequest(port1234.inputs.url, port1234.expected, body), secrets, at(NOW))),
    ).toBe('no_matching_signature');
  });

  it('sorts repeated parameters by value (upstream vector)', () => {
    const duplicates = publishedVector('twilio', 'signature_duplicate_params');
    const request = twilioRequest(duplicates.inputs.url, duplicates.expected, formBody(duplicates.inputs.params));
    expect(scheme.verify(request, secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('checks a JSON body through bodySHA256 (upstream vector) and refuses a body that does not match it', () => {
    const json = publishedVector('twilio', 'signature_json_body');
    const body = publishedVector('twilio', 'body_sha256').inputs.body as string;
    const request = twilioRequest(json.inputs.url, json.expected, body, 'application/json');
    expect(scheme.verify(request, secrets, at(NOW)).secretVersion).toBe(1);
    const tampered = twilioRequest(json.inputs.url, json.expected, body.replace('true', 'false'), 'application/json');
    expect(refusal(() => scheme.verify(tampered, secrets, at(NOW)))).toBe('no_matching_signature');
    const badHash = twilioRequest(
      json.inputs.url.replace(/bodySHA256=.*/, 'bodySHA256=xyz'),
      json.expected,
      body,
      'application/json',
    );
    expect(refusal(() => scheme.verify(badHash, secrets, at(NOW)))).toBe('invalid_header');
  });

  it('refuses a JSON body without bodySHA256, since no signature would cover it', () => {
    const url = 'https://mycompany.com/myapp.php?foo=1';
    const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, url, {});
    expect(
      refusal(() => scheme.verify(twilioRequest(url, signature, '{"a":1}', 'application/json'), secrets, at(NOW))),
    ).toBe('no_matching_signature');
    // A bodiless request (a GET status callback) is covered by its URL alone.
    expect(scheme.verify(twilioRequest(url, signature, '', 'text/plain'), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('accepts what the Twilio SDK signs, including encoded and unicode parameters', () => {
    const url = 'https://mycompany.com/myapp.php?q=a%20b';
    const params = { Body: 'Zoë ♥ + & = %', From: '+14158675309', MediaUrl0: 'https://x.example/a?b=c' };
    const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, url, params);
    expect(scheme.verify(twilioRequest(url, signature, formBody(params)), secrets, at(NOW)).secretVersion).toBe(1);
  });

  it('refuses a tampered parameter, a wrong token, and missing or malformed signatures', () => {
    const body = formBody(BASE.inputs.params);
    expect(
      refusal(() =>
        scheme.verify(twilioRequest(BASE.inputs.url, BASE.expected, body.replace('1234', '1235')), secrets, at(NOW)),
      ),
    ).toBe('no_matching_signature');
    expect(
      refusal(() => scheme.verify(twilioRequest(BASE.inputs.url + '&x=1', BASE.expected, body), secrets, at(NOW))),
    ).toBe('no_matching_signature');
    expect(
      refusal(() => scheme.verify(twilioRequest(BASE.inputs.url, BASE.expected, body), [secret('54321')], at(NOW))),
    ).toBe('no_matching_signature');
    expect(refusal(() => scheme.verify(twilioRequest(BASE.inputs.url, undefined, body), secrets, at(NOW)))).toBe(
      'missing_header',
    );
    expect(
      refusal(() => scheme.verify(twilioRequest(BASE.inputs.url, BASE.expected.slice(1), body), secrets, at(NOW))),
    ).toBe('invalid_header');
  });

  it('needs the public URL', () => {
    expect(() => twilioProvider.scheme({ url: '' })).toThrow(WebhookConfigurationError);
    expect(() => twilioProvider.scheme({ url: 'mycompany.com/sms' })).toThrow(WebhookConfigurationError);
  });

  // Property signer: the documented algorithm with node:crypto over a JSON body (bodySHA256).
  const url = 'https://mycompany.com/myapp.php';
  describeSchemeProperties({
    scheme,
    secrets: [secret('old-token', 1), secret('new-token', 2)],
    now: NOW,
    headers: ['x-twilio-signature', 'content-type'],
    covers: ['body'],
    expectedId: () => undefined,
    request: (message, signed) => {
      const signedUrl = `${url}?bodySHA256=${createHash('sha256').update(signed.body).digest('hex')}`;
      const signature = createHmac('sha1', 'new-token').update(signedUrl).digest('base64');
      return twilioRequest(signedUrl, signature, message.body, 'application/json');
    },
  });
});

// Issue 13 item 8: the idempotency token is unsigned, so it is not the id; the dedupe key is the
// SHA-256 of the signed string (URL + concatenated parameters), computed here independently.
describe('twilio scheme deduplication key', () => {
  const url = 'https://hooks.example.com/sms';
  const scheme = twilioProvider.scheme({ url });
  const post = (body: string, signature: string, token: string) =>
    webhookRequest({
      url: '/sms',
      headers: { 'content-type': FORM, 'x-twilio-signature': signature, 'i-twilio-idempotency-token': token },
      body,
    });
  const params = { Body: 'hello', From: '+15550001', MessageSid: 'SM1' };
  const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, url, params);
  const expected =
    'sha256:' + createHash('sha256').update(`${url}Bodyhello`).update('From+15550001MessageSidSM1').digest('hex');

  it('ignores the unsigned idempotency token and keys on the signed string', () => {
    const first = scheme.verify(post(new URLSearchParams(params).toString(), signature, 'a'), [secret(TOKEN)], at(NOW));
    const again = scheme.verify(post(new URLSearchParams(params).toString(), signature, 'b'), [secret(TOKEN)], at(NOW));
    expect(first).toEqual({ secretVersion: 1, signedContentKey: expected });
    expect(again.signedContentKey).toBe(expected);
  });

  it('gives parameters re-split across the concatenation the same key (a duplicate of the original)', () => {
    const resplit = new URLSearchParams({ Bodyhel: 'lo', From: '+15550001MessageSidSM1' }).toString();
    expect(scheme.verify(post(resplit, signature, 'c'), [secret(TOKEN)], at(NOW)).signedContentKey).toBe(expected);
  });
});

// sign() against the published vectors: the expected values are Twilio's (twilio-python's tests).
describe('twilio scheme sign()', () => {
  const input = (body: string, contentType = FORM) => ({
    body: Buffer.from(body),
    key: TOKEN,
    timestamp: NOW,
    id: 'idem-1',
    contentType,
  });

  it.each([
    'signature',
    'signature_port443',
    'signature_http_port80',
    'signature_http_port1234',
    'signature_duplicate_params',
  ])('signs the %s vector byte for byte', (kind) => {
    const vector = publishedVector('twilio', kind);
    const signed = twilioProvider.scheme({ url: vector.inputs.url }).sign(input(formBody(vector.inputs.params)));
    expect(signed.headers['x-twilio-signature']).toBe(vector.expected);
    expect(signed.query).toBeUndefined();
  });

  it('signs a JSON body through bodySHA256, as the published vector does', () => {
    const json = publishedVector('twilio', 'signature_json_body');
    const hash = publishedVector('twilio', 'body_sha256');
    const url = json.inputs.url.replace(/&bodySHA256=.*$/, '');
    const signed = twilioProvider.scheme({ url }).sign(input(hash.inputs.body, 'application/json'));
    expect(signed.query).toEqual({ bodySHA256: hash.expected });
    expect(signed.headers['x-twilio-signature']).toBe(json.expected);
  });

  it('sends the unsigned idempotency token, and what it signs verifies', () => {
    const url = 'https://hooks.example.com/sms';
    const scheme = twilioProvider.scheme({ url });
    const signed = scheme.sign(input('Body=hi&From=%2B15550001'));
    expect(signed.headers['i-twilio-idempotency-token']).toBe('idem-1');
    const request = twilioRequest(url, signed.headers['x-twilio-signature'], 'Body=hi&From=%2B15550001');
    expect(scheme.verify(request, [secret(TOKEN, 3)], at(NOW)).secretVersion).toBe(3);
  });

  it('signs a bodiless request over the URL alone (no bodySHA256)', () => {
    const scheme = twilioProvider.scheme({ url: 'https://hooks.example.com/voice' });
    const signed = scheme.sign(input('', 'application/json'));
    expect(signed.query).toBeUndefined();
    const request = twilioRequest(
      'https://hooks.example.com/voice',
      signed.headers['x-twilio-signature'],
      '',
      'text/plain',
    );
    expect(scheme.verify(request, [secret(TOKEN)], at(NOW)).secretVersion).toBe(1);
  });
});

describe('twilio preset and catalogue entry', () => {
  it('builds its endpoint through the catalogue scheme and needs the URL', () => {
    const endpoint = twilio({ authToken: TOKEN, url: 'https://hooks.example.com/sms' });
    expect(endpoint.provider).toBe(twilioProvider.id);
    expect(endpoint.schemes.map((scheme) => scheme.name)).toEqual(['twilio']);
    expect(twilioProvider.requires).toEqual(['url']);
    expect(() => twilio({ authToken: TOKEN, url: '' })).toThrow(WebhookConfigurationError);
  });

  it('makes 32-hex-digit test keys and form sample events with fresh SIDs', () => {
    expect(twilioProvider.testKey().secret).toMatch(/^[0-9a-f]{32}$/);
    const [a, b] = [twilioProvider.sampleEvent(), twilioProvider.sampleEvent()];
    expect(a.contentType).toBe(FORM);
    expect(new URLSearchParams(a.body).get('MessageSid')).toMatch(/^SM[0-9a-f]{32}$/);
    expect(a.body).not.toBe(b.body);
  });
});
