import { WebhookConfigurationError } from '../errors';
import type { ClientCertificate } from '../request';
import { at, refusal, webhookRequest } from '../../../test/support/scheme-testing';
import { mutualTls } from './client-certificate.scheme';

const NOW = 1_700_000_000;
const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7).toString(16).padStart(2, '0').toUpperCase()).join(':');
const OTHER = FINGERPRINT.replace(/^00/, '01');
const certificate = (overrides: Partial<ClientCertificate> = {}): ClientCertificate => ({
  authorized: true,
  fingerprint256: FINGERPRINT,
  subject: { CN: 'hooks.partner.example', O: 'Partner Inc', OU: ['Billing', 'Ops'] },
  ...overrides,
});
const verify = (scheme: ReturnType<typeof mutualTls>, clientCertificate?: ClientCertificate) =>
  scheme.verify(webhookRequest({ clientCertificate }), [], at(NOW));

describe('ClientCertificateScheme', () => {
  it('accepts a pinned fingerprint, written with colons or as plain lower-case hex', () => {
    expect(verify(mutualTls({ fingerprints: [FINGERPRINT] }), certificate())).toEqual({});
    expect(
      verify(mutualTls({ fingerprints: [OTHER, FINGERPRINT.replace(/:/g, '').toLowerCase()] }), certificate()),
    ).toEqual({});
  });

  it('refuses another fingerprint, no certificate, and an unauthorized one', () => {
    const scheme = mutualTls({ fingerprints: [OTHER] });
    expect(refusal(() => verify(scheme, certificate()))).toBe('client_certificate_rejected');
    expect(refusal(() => verify(mutualTls({ fingerprints: [FINGERPRINT] })))).toBe('client_certificate_rejected');
    expect(refusal(() => verify(mutualTls({ fingerprints: [FINGERPRINT] }), certificate({ authorized: false })))).toBe(
      'client_certificate_rejected',
    );
    expect(
      refusal(() => verify(mutualTls({ fingerprints: [FINGERPRINT] }), certificate({ fingerprint256: undefined }))),
    ).toBe('client_certificate_rejected');
  });

  it('checks every listed subject field, and every value of a multi-valued one', () => {
    expect(
      verify(mutualTls({ subject: { CN: 'hooks.partner.example', O: ['Partner Inc', 'Partner Ltd'] } }), certificate()),
    ).toEqual({});
    expect(verify(mutualTls({ subject: { OU: ['Billing', 'Ops', 'Support'] } }), certificate())).toEqual({});
    for (const subject of <Array<Record<string, string>>>[
      { CN: 'other.example' },
      { OU: 'Billing' },
      { L: 'Paris' },
      { CN: 'hooks.partner.example', O: 'Other' },
    ]) {
      expect(refusal(() => verify(mutualTls({ subject }), certificate()))).toBe('client_certificate_rejected');
    }
    expect(refusal(() => verify(mutualTls({ subject: { CN: 'x' } }), certificate({ subject: undefined })))).toBe(
      'client_certificate_rejected',
    );
  });

  it('requires both checks when both are configured', () => {
    const scheme = mutualTls({ fingerprints: [FINGERPRINT], subject: { CN: 'hooks.partner.example' } });
    expect(verify(scheme, certificate())).toEqual({});
    expect(refusal(() => verify(scheme, certificate({ subject: { CN: 'evil.example' } })))).toBe(
      'client_certificate_rejected',
    );
    expect(refusal(() => verify(scheme, certificate({ fingerprint256: OTHER })))).toBe('client_certificate_rejected');
  });

  it('refuses configurations that check nothing or cannot match', () => {
    expect(() => mutualTls({})).toThrow(WebhookConfigurationError);
    expect(() => mutualTls({ fingerprints: [], subject: {} })).toThrow(WebhookConfigurationError);
    expect(() => mutualTls({ fingerprints: ['AB:CD'] })).toThrow(WebhookConfigurationError);
    expect(() => mutualTls({ subject: { CN: [] } })).toThrow(WebhookConfigurationError);
    expect(() => mutualTls({ subject: { CN: '' } })).toThrow(WebhookConfigurationError);
  });
});
