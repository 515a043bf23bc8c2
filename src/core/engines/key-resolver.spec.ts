// The key resolver against a local HTTPS server with certificates made here by openssl: a test
// root, the server's certificate for localhost, and signing certificates chained to the root (or not).
import { execFileSync } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { at, refusalAsync, webhookRequest } from '../../../test/support/scheme-testing';
import { asymmetricSignature } from './asymmetric.engine';
import { FetchedKeyScheme } from './fetched-keys';
import { KeyResolver, type KeySourceOptions } from './key-resolver';

const dir = mkdtempSync(join(tmpdir(), 'hookwarden-keys-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
const file = (name: string) => readFileSync(join(dir, name), 'utf8');

/** A certificate for `cn` signed by the test root (or self-signed when `root` is false), RSA so it can sign. */
function certificate(name: string, cn: string, root = true): string {
  writeFileSync(join(dir, `${name}.ext`), `subjectAltName=DNS:${cn}\n`);
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  );
  const issuer = root ? ['-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'] : ['-signkey', `${name}.key`];
  openssl(
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    ...issuer,
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  );
  return file(`${name}.pem`);
}

openssl(
  'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key',
  '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Hookwarden Test Root',
  '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
); // prettier-ignore
const CA = file('ca.pem');
const SERVER_CERT = certificate('server', 'localhost');
const SIGNING_CERT = certificate('signing', 'messageverificationcerts.sandbox.paypal.com');
const OTHER_NAME_CERT = certificate('other', 'evil.example.com');
const SELF_SIGNED_CERT = certificate('self', 'messageverificationcerts.sandbox.paypal.com', false);
const SERVER_KEY = file('server.key');
rmSync(dir, { recursive: true, force: true });

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const spkiBase64 = (key: KeyObject) => key.export({ type: 'spki', format: 'der' }).toString('base64');
const jwkOf = (key: KeyObject, kid: string) => ({ ...key.export({ format: 'jwk' }), kid, use: 'sig' });

/** What the server answers, by path; every request is counted. */
const routes: Record<string, (res: import('node:http').ServerResponse, body: string) => void> = {};
const hits: string[] = [];
let server: Server;
let host: string;

const json =
  (value: unknown, status = 200) =>
  (res: import('node:http').ServerResponse) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(value));
  };

beforeAll(async () => {
  server = createServer({ key: SERVER_KEY, cert: SERVER_CERT }, (req, res) => {
    hits.push(req.url!);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const route = routes[req.url!];
      if (route) route(res, Buffer.concat(chunks).toString('utf8'));
      else json({ message: 'not found' }, 404)(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  host = `localhost:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  hits.length = 0;
  for (const path of Object.keys(routes)) delete routes[path];
  jest.restoreAllMocks();
});

const resolver = (options: Partial<KeySourceOptions>) =>
  new KeyResolver({
    name: 'test',
    hosts: [host],
    format: { type: 'pem', field: 'data.publicKey' },
    ca: [CA],
    timeoutMs: 1000,
    ...options,
  });

describe('KeyResolver', () => {
  it('fetches a key by id from the fixed host, then serves it from the cache until the TTL ends', async () => {
    routes['/keys/k-1'] = json({ data: { publicKey: spkiBase64(ec.publicKey) } });
    const keys = resolver({ url: `https://${host}/keys/{kid}`, ttlSeconds: 60 });
    await keys.resolve('k-1');
    await keys.resolve('k-1');
    expect(keys.cached('k-1')[0].key.equals(ec.publicKey)).toBe(true);
    expect(hits).toEqual(['/keys/k-1']);
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
    expect(await refusalAsync(() => keys.cached('k-1'))).toBe('key_source_unavailable');
    await keys.resolve('k-1');
    expect(hits).toEqual(['/keys/k-1', '/keys/k-1']);
  });

  it('refuses a key id that is not in its format before any fetch (no path tricks in the URL)', async () => {
    const keys = resolver({ url: `https://${host}/keys/{kid}` });
    for (const kid of ['../admin', 'a/b', '', 'x'.repeat(129), 'a?b']) {
      expect(await refusalAsync(() => keys.resolve(kid))).toBe('invalid_header');
    }
    expect(hits).toEqual([]);
  });

  it('uses a URL named by the request only on the fixed hosts, over HTTPS, under the fixed paths', async () => {
    routes['/certs/CERT-1'] = json({ data: { publicKey: spkiBase64(ec.publicKey) } });
    const keys = resolver({ paths: ['/certs/'] });
    for (const url of [
      `https://evil.example.com/certs/CERT-1`,
      `http://${host}/certs/CERT-1`,
      `https://${host}@evil.example.com/certs/CERT-1`,
      `https://user:pw@${host}/certs/CERT-1`,
      `https://${host}/other/CERT-1`,
      'not a url',
    ]) {
      expect(await refusalAsync(() => keys.resolve(url))).toBe('invalid_header');
    }
    expect(hits).toEqual([]);
    await keys.resolve(`https://${host}/certs/CERT-1`);
    expect(keys.cached(`https://${host}/certs/CERT-1`)).toHaveLength(1);
  });

  it('refuses a key the host does not have (401), and does not ask again for a minute', async () => {
    const keys = resolver({ url: `https://${host}/keys/{kid}` });
    await keys.resolve('unknown');
    await keys.resolve('unknown');
    expect(await refusalAsync(() => keys.cached('unknown'))).toBe('no_matching_signature');
    expect(hits).toEqual(['/keys/unknown']);
  });

  it('answers an outage as key_source_unavailable (503): a 5xx, nonsense, a timeout, no server, an untrusted certificate', async () => {
    routes['/5xx'] = json({}, 502);
    routes['/nonsense'] = json({ data: { publicKey: 'not a key' } });
    routes['/huge'] = json({ data: { publicKey: 'A'.repeat(100_000) } });
    routes['/slow'] = () => undefined; // never answers
    for (const path of ['/5xx', '/nonsense', '/huge', '/slow']) {
      expect(await refusalAsync(() => resolver({ url: `https://${host}${path}`, timeoutMs: 300 }).resolve())).toBe(
        'key_source_unavailable',
      );
    }
    const closed = resolver({ hosts: ['localhost:1'], url: 'https://localhost:1/keys' });
    expect(await refusalAsync(() => closed.resolve())).toBe('key_source_unavailable');
    routes['/keys'] = json({ data: { publicKey: spkiBase64(ec.publicKey) } });
    const untrusted = resolver({ url: `https://${host}/keys`, ca: undefined });
    expect(await refusalAsync(() => untrusted.resolve())).toBe('key_source_unavailable');
    expect(await refusalAsync(() => untrusted.cached())).toBe('key_source_unavailable');
  });

  it('limits how often it fetches, whatever key ids requests name', async () => {
    const keys = resolver({ url: `https://${host}/keys/{kid}`, maxFetchesPerMinute: 3 });
    for (const kid of ['a', 'b', 'c']) await keys.resolve(kid);
    expect(await refusalAsync(() => keys.resolve('d'))).toBe('key_source_unavailable');
    expect(hits).toHaveLength(3);
  });

  it('key ids nobody publishes use up the budget for new keys only: a key it fetched is refreshed and never evicted', async () => {
    // An outside review kept the shared budget empty with one unsigned request naming a random key id
    // every 2 s: a genuine delivery whose key had left the cache (TTL, or pushed out by the flood's
    // entries) was then refused, 503 "too many fetches", for as long as the flood went on.
    routes['/keys/genuine'] = json({ data: { publicKey: spkiBase64(ec.publicKey) } });
    const keys = resolver({ url: `https://${host}/keys/{kid}`, ttlSeconds: 60, maxFetchesPerMinute: 300 });
    await keys.resolve('genuine');
    for (let i = 0; i < 299; i++) await keys.resolve(`junk-${i}`);
    expect(await refusalAsync(() => keys.resolve('junk-more'))).toBe('key_source_unavailable');
    // Not evicted by the unknown ids (more than the 256 entries a cache holds): served from it, no fetch.
    const fetched = hits.length;
    await keys.resolve('genuine');
    expect(keys.cached('genuine')[0].key.equals(ec.publicKey)).toBe(true);
    expect(hits).toHaveLength(fetched);
    // Its TTL over while the budget is still spent: refreshed anyway.
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000 - 1);
    for (let i = 0; i < 300; i++) await keys.resolve(`junk-late-${i}`);
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 2);
    await keys.resolve('genuine');
    expect(keys.cached('genuine')[0].key.equals(ec.publicKey)).toBe(true);
    expect(hits.at(-1)).toBe('/keys/genuine');
  });

  it('meters the refresh of a known key for a minute after one failed: a host down is not asked once per request', async () => {
    routes['/keys/genuine'] = json({ data: { publicKey: spkiBase64(ec.publicKey) } });
    const keys = resolver({ url: `https://${host}/keys/{kid}`, ttlSeconds: 60, maxFetchesPerMinute: 5 });
    await keys.resolve('genuine');
    routes['/keys/genuine'] = json({}, 503);
    const start = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(start + 61_000);
    // Requests naming the key (anyone can send them) while its host fails: one unmetered try, then
    // the budget (5 a minute; the first fetch is a minute old by now) bounds the rest.
    for (let i = 0; i < 20; i++)
      expect(await refusalAsync(() => keys.resolve('genuine'))).toBe('key_source_unavailable');
    expect(hits.filter((h) => h === '/keys/genuine')).toHaveLength(1 + 1 + 5);
  });

  it('names a certificate URL one way only (no query, fragment, escape or empty segment), and keeps the keys in use', async () => {
    routes['/certs/CERT-1'] = (res) => {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      res.end(SIGNING_CERT);
    };
    const keys = resolver({
      hosts: [host],
      paths: ['/certs/'],
      format: { type: 'x509', subjects: ['messageverificationcerts.sandbox.paypal.com'] },
    });
    const genuine = `https://${host}/certs/CERT-1`;
    for (const variant of [
      `${genuine}#1`,
      `${genuine}#`,
      `${genuine}?a=1`,
      `${genuine}?`,
      `https://${host}/certs/CERT%2D1`,
      `https://${host}/certs//CERT-1`,
    ]) {
      expect(await refusalAsync(() => keys.resolve(variant))).toBe('invalid_header');
    }
    expect(hits).toEqual([]);
    await keys.resolve(genuine);
    expect(keys.cached(genuine)).toHaveLength(1);
  });

  it('picks a JWKS key by its kid, and fetches the set again (once a minute at most) for a kid it lacks', async () => {
    const second = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    routes['/jwks'] = json({ keys: [jwkOf(ec.publicKey, 'one'), { kty: 'unknown', kid: 'skipped' }] });
    const keys = resolver({ url: `https://${host}/jwks`, format: { type: 'jwks' } });
    await keys.resolve('one');
    expect(keys.cached('one')[0].key.equals(ec.publicKey)).toBe(true);
    await keys.resolve('two');
    expect(await refusalAsync(() => keys.cached('two'))).toBe('no_matching_signature');
    expect(hits).toEqual(['/jwks']);
    routes['/jwks'] = json({ keys: [jwkOf(ec.publicKey, 'one'), jwkOf(second.publicKey, 'two')] });
    jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);
    await keys.resolve('two');
    expect(keys.cached('two')[0].key.equals(second.publicKey)).toBe(true);
    expect(hits).toEqual(['/jwks', '/jwks']);
  });

  it('posts the key id to one URL (Plaid) and caches each key id apart', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const byKid: Record<string, KeyObject> = { 'k-1': ec.publicKey, 'k-2': other.publicKey };
    routes['/key/get'] = (res, body) => json({ key: jwkOf(byKid[JSON.parse(body).key_id], 'x') })(res);
    const keys = resolver({
      url: `https://${host}/key/get`,
      method: 'POST',
      body: (kid) => JSON.stringify({ key_id: kid }),
      format: { type: 'jwk', field: 'key' },
    });
    await keys.resolve('k-1');
    await keys.resolve('k-2');
    await keys.resolve('k-1');
    expect(keys.cached('k-1')[0].key.equals(ec.publicKey)).toBe(true);
    expect(keys.cached('k-2')[0].key.equals(other.publicKey)).toBe(true);
    expect(hits).toEqual(['/key/get', '/key/get']);
    expect(await refusalAsync(() => keys.resolve('../x'))).toBe('invalid_header');
  });

  it('refuses a private JWK', async () => {
    routes['/jwk'] = json({ key: { ...ec.privateKey.export({ format: 'jwk' }), kid: 'k' } });
    const keys = resolver({ url: `https://${host}/jwk`, format: { type: 'jwk', field: 'key' } });
    expect(await refusalAsync(() => keys.resolve())).toBe('key_source_unavailable');
  });

  describe('x509 certificates', () => {
    const subjects = ['messageverificationcerts.sandbox.paypal.com', 'messageverificationcerts.paypal.com'];
    const certs = () => resolver({ paths: ['/certs/'], format: { type: 'x509', subjects } });

    it('accepts a certificate chained to a trusted root and issued to the provider’s name', async () => {
      routes['/certs/good'] = (res) => res.end(SIGNING_CERT);
      const keys = certs();
      await keys.resolve(`https://${host}/certs/good`);
      const expected = createPublicKey(SIGNING_CERT);
      expect(keys.cached(`https://${host}/certs/good`)[0].key.equals(expected)).toBe(true);
    });

    it('refuses another name, a self-signed certificate, and one no longer valid', async () => {
      routes['/certs/other'] = (res) => res.end(OTHER_NAME_CERT);
      routes['/certs/self'] = (res) => res.end(SELF_SIGNED_CERT);
      routes['/certs/good'] = (res) => res.end(SIGNING_CERT);
      for (const path of ['/certs/other', '/certs/self']) {
        expect(await refusalAsync(() => certs().resolve(`https://${host}${path}`))).toBe('no_matching_signature');
      }
      jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 3 * 86_400_000);
      expect(await refusalAsync(() => certs().resolve(`https://${host}/certs/good`))).toBe('no_matching_signature');
    });
  });
});

describe('FetchedKeyScheme', () => {
  const body = Buffer.from('{"id":"evt_1"}');
  const inner = asymmetricSignature({
    name: 'test-ecdsa',
    algorithm: 'ecdsa-p256-sha256',
    header: 'x-signature',
    encoding: 'base64',
    publicKey: { encoding: 'spki', label: 'A test key' },
  });
  const signature = cryptoSign('sha256', body, ec.privateKey).toString('base64');

  it('verifies with the key the request names once prepare() fetched it, reporting no secret version', async () => {
    routes['/keys/k-1'] = json({ data: { publicKey: spkiBase64(ec.publicKey) } });
    const scheme = new FetchedKeyScheme(inner, resolver({ url: `https://${host}/keys/{kid}` }), {
      header: 'X-Key-Id',
    });
    const request = webhookRequest({ headers: { 'x-signature': signature, 'x-key-id': 'k-1' }, body });
    expect(await refusalAsync(() => scheme.verify(request, [], at(0)))).toBe('key_source_unavailable');
    await scheme.prepare(request, []);
    expect(scheme.verify(request, [], at(0))).toEqual({});
    const tampered = webhookRequest({ headers: { 'x-signature': signature, 'x-key-id': 'k-1' }, body: '{}' });
    expect(await refusalAsync(() => scheme.verify(tampered, [], at(0)))).toBe('no_matching_signature');
    expect(
      await refusalAsync(() => scheme.prepare(webhookRequest({ headers: { 'x-signature': signature } }), [])),
    ).toBe('missing_header');
  });

  it('uses the endpoint’s own keys when it has some, fetching nothing', async () => {
    const scheme = new FetchedKeyScheme(inner, resolver({ url: `https://${host}/keys/{kid}` }), { header: 'x-key-id' });
    const request = webhookRequest({ headers: { 'x-signature': signature }, body });
    const configured = [{ version: 3, value: spkiBase64(ec.publicKey) }];
    await scheme.prepare(request, configured);
    expect(scheme.verify(request, configured, at(0))).toEqual({ secretVersion: 3 });
    expect(hits).toEqual([]);
  });
});
