import { redactHeaders, redactUrl } from './redact';

describe('redactUrl', () => {
  it("replaces the values of credential-like query parameters (Strava's token, Meta's verify token, API keys)", () => {
    expect(redactUrl('/webhooks/strava?token=s3cr3t-value&x=1')).toBe('/webhooks/strava?token=%5Bredacted%5D&x=1');
    expect(redactUrl('/webhooks/meta?hub.mode=subscribe&hub.verify_token=meatyhamhock&hub.challenge=42')).toBe(
      '/webhooks/meta?hub.mode=subscribe&hub.verify_token=%5Bredacted%5D&hub.challenge=42',
    );
    expect(redactUrl('/h?API_KEY=abc&apikey=def&Signature=ghi&clientState=jkl')).not.toMatch(/abc|def|ghi|jkl/);
  });

  it('judges percent-encoded parameter names by their decoded form', () => {
    expect(redactUrl('/h?%74oken=hidden')).not.toContain('hidden');
  });

  it('keeps a path without a query, and parameters that carry no credential, exactly as received', () => {
    expect(redactUrl('/webhooks/github')).toBe('/webhooks/github');
    expect(redactUrl('/h?page=2&flag&a=%ZZ')).toBe('/h?page=2&flag&a=%ZZ');
  });
});

describe('redactHeaders', () => {
  it('replaces signatures and credentials, keeps the other headers', () => {
    const safe = redactHeaders({
      'x-hub-signature-256': 'sha256=abc',
      authorization: 'Bearer t',
      'x-hook-secret': 's',
      'content-type': 'application/json',
    });
    expect(safe).toEqual({
      'x-hub-signature-256': '[redacted]',
      authorization: '[redacted]',
      'x-hook-secret': '[redacted]',
      'content-type': 'application/json',
    });
  });
});
