import fc from 'fast-check';
import { WebhookConfigurationError, WebhookVerificationError } from '../errors';
import { at, refusal, webhookRequest } from '../../../test/support/scheme-testing';
import { ipAllowList, type IpAllowListOptions } from './ip-allow-list.scheme';

const NOW = 1_700_000_000;
const from = (remoteAddress: string | undefined, forwardedFor?: string) =>
  webhookRequest({ remoteAddress, headers: { 'x-forwarded-for': forwardedFor } });
const allowed = (options: IpAllowListOptions, request = from('192.0.2.1')) => {
  try {
    ipAllowList(options).verify(request, [], at(NOW));
    return true;
  } catch (error) {
    if (error instanceof WebhookVerificationError && error.code === 'ip_not_allowed') return false;
    throw error;
  }
};

describe('IpAllowListScheme', () => {
  const github = { allow: ['192.30.252.0/22', '140.82.112.0/20', '2a0a:a440::/29', '203.0.113.7'] };

  it('matches IPv4 and IPv6 addresses and ranges on the TCP peer', () => {
    for (const peer of [
      '192.30.252.1',
      '192.30.255.255',
      '140.82.127.254',
      '2a0a:a440::1',
      '2a0a:a447:ffff::1',
      '203.0.113.7',
    ]) {
      expect(allowed(github, from(peer))).toBe(true);
    }
    for (const peer of ['192.30.251.255', '140.82.128.0', '2a0a:a448::1', '203.0.113.8', '::1', '127.0.0.1']) {
      expect(allowed(github, from(peer))).toBe(false);
    }
  });

  it('treats an IPv4-mapped IPv6 peer as its IPv4 address', () => {
    expect(allowed(github, from('::ffff:192.30.252.10'))).toBe(true);
    expect(allowed(github, from('::ffff:10.0.0.1'))).toBe(false);
  });

  it('refuses an unknown peer, and ignores X-Forwarded-For unless proxies are trusted', () => {
    expect(refusal(() => ipAllowList(github).verify(from(undefined), [], at(NOW)))).toBe('ip_not_allowed');
    expect(allowed(github, from('10.0.0.2', '192.30.252.1'))).toBe(false);
    expect(allowed({ allow: ['10.0.0.0/8'] }, from('10.0.0.2', '198.51.100.1'))).toBe(true);
  });

  describe('behind a known number of proxies (hops)', () => {
    const options = { ...github, trustedProxies: { hops: 1 } };

    it('takes the address the outermost proxy saw, not what the client wrote', () => {
      expect(allowed(options, from('10.0.0.2', '192.30.252.1'))).toBe(true);
      expect(allowed(options, from('10.0.0.2', '192.30.252.1, 198.51.100.9'))).toBe(false);
      expect(allowed(options, from('10.0.0.2', '198.51.100.9, 192.30.252.1'))).toBe(true);
      expect(allowed({ ...github, trustedProxies: { hops: 2 } }, from('10.0.0.2', '192.30.252.1, 10.0.0.3'))).toBe(
        true,
      );
    });

    it('refuses a request that bypassed the proxies', () => {
      expect(refusal(() => ipAllowList(options).verify(from('192.30.252.1'), [], at(NOW)))).toBe('ip_not_allowed');
    });

    it('accepts ports and brackets that some proxies add, and refuses malformed entries', () => {
      expect(allowed(options, from('10.0.0.2', '192.30.252.1:51234'))).toBe(true);
      expect(allowed(options, from('10.0.0.2', '[2a0a:a440::1]:443'))).toBe(true);
      for (const header of ['unknown', '192.30.252.1, ', 'fe80::1%eth0', '999.1.1.1', 'a'.repeat(20)]) {
        expect(refusal(() => ipAllowList(options).verify(from('10.0.0.2', header), [], at(NOW)))).toBe(
          'invalid_header',
        );
      }
      const long = Array(65).fill('10.0.0.1').join(',');
      expect(refusal(() => ipAllowList(options).verify(from('10.0.0.2', long), [], at(NOW)))).toBe('invalid_header');
    });
  });

  describe('behind listed proxies (addresses)', () => {
    const options = { ...github, trustedProxies: { addresses: ['10.0.0.0/8', 'fd00::/8'] } };

    it('walks the chain from the peer past trusted proxies', () => {
      expect(allowed(options, from('10.0.0.2', '192.30.252.1'))).toBe(true);
      expect(allowed(options, from('fd00::2', '192.30.252.1, 10.1.1.1'))).toBe(true);
      // A client cannot hide behind a forged entry on the left of an untrusted hop.
      expect(allowed(options, from('10.0.0.2', '192.30.252.1, 198.51.100.9'))).toBe(false);
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
      expect(allowed(options, from('198.51.100.9', '192.30.252.1'))).toBe(false);
      expect(allowed(options, from('192.30.252.1', '198.51.100.9'))).toBe(true);
    });
  });

  it.each<[string, IpAllowListOptions]>([
    ['an empty list', { allow: [] }],
    ['a host name', { allow: ['github.com'] }],
    ['a prefix too long', { allow: ['10.0.0.0/33'] }],
    ['a v6 prefix too long', { allow: ['fd00::/129'] }],
    ['a non-numeric prefix', { allow: ['10.0.0.0/8a'] }],
    ['two slashes', { allow: ['10.0.0.0/8/8'] }],
    ['zero hops', { allow: ['10.0.0.0/8'], trustedProxies: { hops: 0 } }],
    ['no proxies', { allow: ['10.0.0.0/8'], trustedProxies: { addresses: [] } }],
  ])('refuses %s at start-up', (_case, options) => {
    expect(() => ipAllowList(options)).toThrow(WebhookConfigurationError);
  });

  it('never throws anything but the typed error for arbitrary peers and X-Forwarded-For', () => {
    const scheme = ipAllowList({ ...github, trustedProxies: { hops: 1 } });
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 60 }), fc.ipV4(), fc.ipV6(), fc.ipV4Extended());
    fc.assert(
      fc.property(
        fc.option(text),
        fc.option(fc.array(text, { maxLength: 5 }).map((parts) => parts.join(', '))),
        (peer, header) => {
          try {
            scheme.verify(from(peer ?? undefined, header ?? undefined), [], at(NOW));
          } catch (error) {
            if (!(error instanceof WebhookVerificationError)) throw error;
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
