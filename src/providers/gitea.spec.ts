import { createHmac } from 'node:crypto';
import { at, refusal, secret, webhookRequest } from '../../test/support/scheme-testing';
import { giteaProvider } from './gitea';

// Gitea signs the JSON payload, also for form-encoded webhooks whose body is `payload=<JSON>`
// (go-gitea/gitea services/webhook/deliver.go; shared/providers-devtools.md § Gitea / Forgejo).
const json = '{"ref":"refs/heads/main"}';
const signature = createHmac('sha256', 'gitea-secret').update(json).digest('hex');
const keys = [secret('gitea-secret')];

describe('gitea', () => {
  const scheme = giteaProvider.scheme();

  it('accepts the Forgejo header alone', () => {
    const request = webhookRequest({ headers: { 'x-forgejo-signature': signature }, body: json });
    expect(() => scheme.verify(request, keys, at(0))).not.toThrow();
  });

  it('refuses a form-encoded delivery: its signature covers the JSON, not the bytes received', () => {
    const request = webhookRequest({
      headers: { 'x-gitea-signature': signature, 'content-type': 'application/x-www-form-urlencoded' },
      body: `payload=${encodeURIComponent(json)}`,
    });
    expect(refusal(() => scheme.verify(request, keys, at(0)))).toBe('no_matching_signature');
  });
});
