// One conformance suite for every provider of the catalogue: what each provider's scheme signs, it
// verifies; the published vectors come out of sign() byte for byte; a tampered body, a wrong key, a
// malformed or missing header and a stale timestamp are refused with a code (never another error);
// during a rotation either live secret verifies. A new provider file is covered by adding it to the
// catalogue.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebhookVerificationError } from '../core/errors';
import type { SignInput } from '../core/signature-scheme';
import vectors from '../../test/fixtures/providers-vectors.json';
import { at, secret, webhookRequest } from '../../test/support/scheme-testing';
import { WEBHOOK_PROVIDERS } from './catalogue';
import type { ProviderSettings, WebhookProvider } from './provider';

const NOW = 1_700_000_000;
const URL_OF = (provider: WebhookProvider) => `https://hooks.example.com/webhooks/${provider.id}`;

interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  readonly url: string;
}

function settingsOf(provider: WebhookProvider): ProviderSettings {
  return provider.requires?.includes('url') ? { url: URL_OF(provider) } : {};
}

function signSample(
  provider: WebhookProvider,
  signingKey: string,
  overrides: Partial<SignInput> = {},
): Delivery & { input: SignInput } {
  const sample = provider.sampleEvent();
  const input: SignInput = {
    body: Buffer.from(sample.body),
    key: signingKey,
    timestamp: NOW,
    id: `msg_${provider.id}_1`,
    contentType: sample.contentType,
    ...overrides,
  };
  const signed = provider.scheme(settingsOf(provider)).sign(input);
  const target = new URL(URL_OF(provider));
  for (const [name, value] of Object.entries(signed.query ?? {})) target.searchParams.set(name, value);
  return {
    input,
    headers: { 'content-type': sample.contentType, ...signed.headers },
    body: signed.body ?? input.body,
    url: target.pathname + target.search,
  };
}

function verify(provider: WebhookProvider, delivery: Delivery, secrets: readonly string[], receivedAt = NOW) {
  const request = webhookRequest({ url: delivery.url, headers: delivery.headers, body: delivery.body });
  return provider.scheme(settingsOf(provider)).verify(
    request,
    secrets.map((value, index) => secret(value, index + 1)),
    at(receivedAt),
  );
}

/** The refusal's code; anything but a WebhookVerificationError (a future 500) fails the test. */
function refusalCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
  throw new Error('expected the delivery to be refused');
}

/** Flips one byte in the middle of the body, keeping its length and its JSON/form shape where possible. */
function tamper(body: Buffer): Buffer {
  const copy = Buffer.from(body);
  for (let i = Math.floor(copy.length / 2); i < copy.length; i++) {
    if (/[0-9A-Za-z]/.test(String.fromCharCode(copy[i]))) {
      copy[i] = copy[i] === 0x30 ? 0x31 : 0x30;
      return copy;
    }
  }
  return Buffer.concat([copy, Buffer.from(' ')]);
}

const valueAt = (body: Buffer, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (node, key) => (node as Record<string, unknown> | undefined)?.[key],
      JSON.parse(body.toString('utf8')),
    );

/** The claims of a JWT header value (`Bearer <jwt>` or the bare token), decoded independently. */
function jwtClaims(value: string): Record<string, unknown> | undefined {
  const payload = /^(?:Bearer\s+)?[\w-]+\.([\w-]+)\.[\w-]*$/.exec(value)?.[1];
  return payload === undefined
    ? undefined
    : (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>);
}

describe.each(WEBHOOK_PROVIDERS.map((provider) => [provider.id, provider] as const))(
  'provider %s conforms',
  (_, provider) => {
    const key = provider.testKey();

    it('verifies what it signs, and reports the message id where the catalogue says it is', () => {
      const delivery = signSample(provider, key.signingKey);
      const result = verify(provider, delivery, [key.secret]);
      if (provider.messageId && 'header' in provider.messageId) {
        expect(result.messageId).toBe(delivery.headers[provider.messageId.header.toLowerCase()]);
      } else if (provider.messageId && 'bodyField' in provider.messageId) {
        // A numeric field (Telegram's update_id) is reported as its decimal text.
        expect(result.messageId).toBe(String(valueAt(delivery.body, provider.messageId.bodyField)));
      } else if (provider.messageId && 'jwtClaim' in provider.messageId) {
        const claims = Object.values(delivery.headers).map(jwtClaims).find(Boolean);
        expect(result.messageId).toBe(claims?.[provider.messageId.jwtClaim]);
      }
      if (provider.messageId) expect(result.messageId).toEqual(expect.any(String));
    });

    it('makes a sample event that is a fresh event each time (two sends are not one duplicate)', () => {
      const [first, second] = [provider.sampleEvent(), provider.sampleEvent()];
      if (provider.messageId && ('bodyField' in provider.messageId || 'bodyFields' in provider.messageId)) {
        expect(first.body).not.toBe(second.body);
      }
      expect(first.contentType).toMatch(/^application\/(json|x-www-form-urlencoded)/);
    });

    it('refuses the delivery under a key the endpoint does not have', () => {
      const delivery = signSample(provider, key.signingKey);
      const other = provider.testKey();
      expect(refusalCode(() => verify(provider, delivery, [other.secret]))).toMatch(
        /^(no_matching_signature|bad_credentials)$/,
      );
    });

    it('refuses a tampered body unless the provider signs no body', () => {
      const delivery = signSample(provider, key.signingKey);
      const tampered = { ...delivery, body: tamper(delivery.body) };
      if (provider.signsBody === false) return;
      expect(refusalCode(() => verify(provider, tampered, [key.secret]))).toMatch(
        /^(no_matching_signature|invalid_body)$/,
      );
    });

    it('answers each header malformed or missing with a code, never another error; the signature header is load-bearing', () => {
      const delivery = signSample(provider, key.signingKey);
      const added = Object.keys(delivery.headers).filter((name) => name !== 'content-type');
      const loadBearing = new Set<string>();
      const attempt = (headers: Record<string, string>, name: string) => {
        try {
          verify(provider, { ...delivery, headers }, [key.secret]);
        } catch (error) {
          expect(error).toBeInstanceOf(WebhookVerificationError); // a 4xx with a code, not a 500
          loadBearing.add(name);
        }
      };
      for (const name of added) {
        const original = delivery.headers[name];
        for (const value of ['', 'garbage !!', original + original, original.slice(0, -2), 'x'.repeat(10_000)]) {
          attempt({ ...delivery.headers, [name]: value }, name);
        }
        const { [name]: _removed, ...without } = delivery.headers;
        attempt(without, name);
      }
      // Providers that sign nothing in a header (Microsoft Graph, Strava) carry the credential elsewhere.
      if (added.length > 0) expect(loadBearing.size).toBeGreaterThan(0);
    });

    it('accepts either live secret during a rotation, and says which one matched', () => {
      const old = provider.testKey();
      const fresh = provider.testKey();
      const byOld = verify(provider, signSample(provider, old.signingKey), [old.secret, fresh.secret]);
      const byNew = verify(provider, signSample(provider, fresh.signingKey), [old.secret, fresh.secret]);
      expect([byOld.secretVersion, byNew.secretVersion]).toEqual([1, 2]);
    });

    const tolerance = provider.toleranceSeconds;
    (tolerance === undefined ? it.skip : it)(
      `accepts a timestamp exactly ${tolerance} s old and refuses one a second older`,
      () => {
        const delivery = signSample(provider, key.signingKey);
        expect(() => verify(provider, delivery, [key.secret], NOW + tolerance!)).not.toThrow();
        expect(refusalCode(() => verify(provider, delivery, [key.secret], NOW + tolerance! + 1))).toBe(
          'timestamp_too_old',
        );
      },
    );
  },
);

describe('the catalogue signs the published vectors byte for byte', () => {
  /**
   * A fixture vector says how its inputs become a SignInput (`sign`: the catalogue id and the input
   * names of the key, timestamp, id and URL) and which header must come out equal to `expected`.
   */
  interface Vector {
    provider: string;
    kind: string;
    inputs: Record<string, string>;
    expected: unknown;
    sign?: { provider: string; key: string; header: string; timestamp?: string; id?: string; url?: string };
    /**
     * For vectors that can only be checked in the verify direction (a published signature without
     * its private key, a timestamp format sign() does not write): the request, by input names.
     */
    verify?: {
      provider: string;
      /** Input name of the secret or public key the endpoint is configured with. */
      secret: string;
      /** Header name → input name of its value (`=literal` for a fixed value). */
      headers: Record<string, string>;
      body?: string;
      /** Input name of the URL as registered, for providers that sign it. */
      url?: string;
      /** Unix seconds the request is received at (within the vector's window). */
      receivedAt?: number;
    };
  }
  const groups = join(__dirname, '../../test/fixtures/vectors');
  const ALL = [
    ...(vectors as unknown as Vector[]),
    ...readdirSync(groups).flatMap((file) => JSON.parse(readFileSync(join(groups, file), 'utf8')) as Vector[]),
  ];
  const byProvider = new Map(WEBHOOK_PROVIDERS.map((provider) => [provider.id, provider]));
  const signable = ALL.filter((vector) => vector.sign);

  it('covers a vector of every catalogue provider the fixture has one for', () => {
    expect(signable.length).toBeGreaterThanOrEqual(18);
    for (const vector of signable) expect(byProvider.has(vector.sign!.provider)).toBe(true);
  });

  const verifiable = ALL.filter((vector) => vector.verify);
  (verifiable.length > 0 ? it.each : it.skip.each)(
    (verifiable.length > 0 ? verifiable : ALL.slice(0, 1)).map((v) => [`${v.provider} ${v.kind}`, v] as const),
  )('%s verifies as published', (_, vector) => {
    const c = vector.verify!;
    const inputs = vector.inputs;
    const value = (name: string) => (name.startsWith('=') ? name.slice(1) : inputs[name]);
    const headers = Object.fromEntries(Object.entries(c.headers).map(([name, input]) => [name, value(input)]));
    const provider = byProvider.get(c.provider)!;
    const request = webhookRequest({ headers, body: Buffer.from(inputs[c.body ?? 'body'], 'utf8') });
    const scheme = provider.scheme(c.url ? { url: inputs[c.url] } : {});
    expect(() => scheme.verify(request, [secret(inputs[c.secret])], at(c.receivedAt ?? NOW))).not.toThrow();
    const tampered = webhookRequest({ headers, body: Buffer.from(inputs[c.body ?? 'body'] + ' ', 'utf8') });
    if (provider.signsBody !== false) {
      expect(refusalCode(() => scheme.verify(tampered, [secret(inputs[c.secret])], at(c.receivedAt ?? NOW)))).toMatch(
        /^(no_matching_signature|invalid_body|invalid_header)$/,
      );
    }
  });

  it.each(signable.map((v) => [`${v.provider} ${v.kind}`, v] as const))('%s', (_, vector) => {
    const c = vector.sign!;
    const inputs = vector.inputs;
    const body = Buffer.from(inputs['body'], 'utf8');
    const signed = byProvider
      .get(c.provider)!
      .scheme(c.url ? { url: inputs[c.url] } : {})
      .sign({
        body,
        key: inputs[c.key],
        timestamp: c.timestamp ? Number(inputs[c.timestamp]) : NOW,
        id: c.id ? inputs[c.id] : 'unused',
        contentType: body[0] === 0x7b ? 'application/json' : 'application/x-www-form-urlencoded',
      });
    expect(signed.headers[c.header]).toBe(vector.expected);
  });

  it('Twilio: the published JSON-body vector (bodySHA256 in the URL) comes out of sign()', () => {
    const shaVector = (vectors as unknown as Vector[]).find(
      (v) => v.provider === 'twilio' && v.kind === 'body_sha256',
    )!;
    const urlVector = (vectors as unknown as Vector[]).find(
      (v) => v.provider === 'twilio' && v.kind === 'signature_json_body',
    )!;
    const body = Buffer.from(shaVector.inputs['body']);
    expect(createHash('sha256').update(body).digest('hex')).toBe(shaVector.expected);
    const url = urlVector.inputs['url'].replace(/&bodySHA256=.*$/, '');
    const signed = byProvider.get('twilio')!.scheme({ url }).sign({
      body,
      key: urlVector.inputs['auth_token'],
      timestamp: NOW,
      id: 'unused',
      contentType: 'application/json',
    });
    expect(signed.query).toEqual({ bodySHA256: shaVector.expected });
    expect(signed.headers['x-twilio-signature']).toBe(urlVector.expected);
  });
});
