import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signDelivery } from './signers';

// The signers of `hookwarden send` must reproduce the published vectors of shared/providers.md.
const base = { url: '', contentType: 'application/json' };
const body = (text: string) => Buffer.from(text);

describe('hookwarden send signers reproduce the providers published vectors', () => {
  it('standard (standard-webhooks Go test vector)', () => {
    const headers = signDelivery('standard', {
      ...base,
      body: body('{"test": 2432232314}'),
      secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
      timestamp: 1614265330,
    });
    expect(headers['webhook-signature']).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('slack (python-slack-sdk vector)', () => {
    const text =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    const headers = signDelivery('slack', {
      ...base,
      body: body(text),
      secret: '8f742231b10e8888abcd99yyyzzz85a5',
      timestamp: 1531420618,
    });
    expect(headers['x-slack-signature']).toBe('v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503');
  });

  it('github (github/docs vector)', () => {
    const headers = signDelivery('github', {
      ...base,
      body: body('Hello, World!'),
      secret: "It's a Secret to Everybody",
    });
    expect(headers['x-hub-signature-256']).toBe(
      'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
    );
  });

  it('stripe (full-header vector)', () => {
    const headers = signDelivery('stripe', {
      ...base,
      body: body('{"id":"evt_test","object":"event"}'),
      secret: 'whsec_test_secret',
      timestamp: 1614265330,
    });
    expect(headers['stripe-signature']).toBe(
      't=1614265330,v1=fbd6bf5496b9d6310e422a2c072578f95f5eb492111ab57a5510e9cd79c1b304',
    );
  });

  it('dropbox (hapi-dropbox-webhooks vector)', () => {
    const headers = signDelivery('dropbox', {
      ...base,
      body: body('{"delta": {"users": [12345]}}'),
      secret: 'the_secret',
    });
    expect(headers['x-dropbox-signature']).toBe('0a8c16b085420b960dc78664279fe09e936a2a01b1f91064869d9e77dfd64529');
  });

  it('shopify (SQLPage vector)', () => {
    const headers = signDelivery('shopify', {
      ...base,
      body: body('{"id":1234567890,"email":"customer@example.com","total_price":"123.45"}'),
      secret: 'test-webhook-secret',
    });
    expect(headers['x-shopify-hmac-sha256']).toBe('QNyObTlKbMx2qDlPF/ZOZcBqg5OgPg+2oky3zldc0Gw=');
  });

  it('pagerduty (go-pagerduty vector)', () => {
    const vectors = JSON.parse(
      readFileSync(join(__dirname, '../../test/fixtures/providers-vectors.json'), 'utf8'),
    ) as Array<{
      provider: string;
      kind: string;
      inputs: Record<string, string>;
      expected: unknown;
    }>;
    const vector = vectors.find((v) => v.provider === 'pagerduty' && v.kind === 'signature')!;
    const secret = Object.entries(vector.inputs).find(([k]) => /secret/.test(k))![1];
    const headers = signDelivery('pagerduty', { ...base, body: body(vector.inputs.body), secret });
    expect(headers['x-pagerduty-signature']).toBe(
      'v1=0c0b9495b893a39e70d1fea2fe11fbe0a825f88b9f67846f6cc07dd2bc5476cd',
    );
  });

  it('square (square-python-sdk vector)', () => {
    const headers = signDelivery('square', {
      ...base,
      url: 'https://webhook.site/webhooks',
      body: body('{"data":{"type":"webhooks","id":">id<"}}'),
      secret: 'signature-key',
    });
    expect(headers['x-square-hmacsha256-signature']).toBe('Cxt7+aTi4rKgcA0bC4g9EHdVtLSDWdqccmL5MvihU4U=');
  });

  it('twilio (twilio-python vectors, form and duplicate parameters)', () => {
    const form = 'CallSid=CA1234567890ABCDE&Caller=%2B14158675309&Digits=1234&From=%2B14158675309&To=%2B18005551212';
    const headers = signDelivery('twilio', {
      url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
      contentType: 'application/x-www-form-urlencoded',
      body: body(form),
      secret: '12345',
    });
    expect(headers['x-twilio-signature']).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    const duplicates = signDelivery('twilio', {
      url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
      contentType: 'application/x-www-form-urlencoded',
      body: body('Sid=CA123&SidAccount=AC123&Digits=5678&Digits=1234'),
      secret: '12345',
    });
    expect(duplicates['x-twilio-signature']).toBe('IK+Dwps556ElfBT0I3Rgjkr1wJU=');
  });

  it('trello (SELF vector)', () => {
    const headers = signDelivery('trello', {
      ...base,
      url: 'https://example.com/webhooks',
      body: body('{"hello":"world"}'),
      secret: 'secret',
    });
    expect(headers['x-trello-webhook']).toBe('FwPAcuGe9EP/+SbXFWjnEVTa0zw=');
  });

  it('box: HMAC-SHA256 over the body then the delivery timestamp header, base64 (documented algorithm)', () => {
    const text = '{"type":"webhook_event","trigger":"FILE.UPLOADED"}';
    const headers = signDelivery('box', {
      ...base,
      body: body(text),
      secret: 'SamplePrimaryKey',
      timestamp: 1577862000,
    });
    expect(headers['box-delivery-timestamp']).toBe('2020-01-01T07:00:00+00:00');
    const expected = createHmac('sha256', 'SamplePrimaryKey')
      .update(text)
      .update('2020-01-01T07:00:00+00:00')
      .digest('base64');
    expect(headers['box-signature-primary']).toBe(expected);
  });

  it('discord (RFC 8032 test key, SELF vector)', () => {
    const headers = signDelivery('discord', {
      ...base,
      body: body('{"id":"787053080478613555","token":"ThisIsATokenFromDiscordThatIsVeryLong","type":1,"version":1}'),
      secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
      timestamp: 1700000000,
    });
    expect(headers['x-signature-ed25519']).toBe(
      'f0bd878adcef1f6d475c9644421905bd02b5de38e0d3ecfc6f58a711962c69ccc8dd7c9db312f9bdf08b1e1b8182e27a844da728c5e0dbb5507bf9931c1ed80b',
    );
  });

  it('refuses an unknown provider with the list of known ones', () => {
    expect(() => signDelivery('nope', { ...base, body: body(''), secret: 'x' })).toThrow(
      /Known: standard, svix, stripe/,
    );
  });
});
