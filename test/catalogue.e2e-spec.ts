// The catalogue drives the README provider table, the CLI provider list and the root exports.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as root from '../src';
import { findProvider, WEBHOOK_PROVIDERS } from '../src/providers/catalogue';
import { withProviderTable } from '../src/providers/provider-table';

describe('the provider catalogue', () => {
  it('has one entry per provider id, each complete', () => {
    const ids = WEBHOOK_PROVIDERS.map((provider) => provider.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const provider of WEBHOOK_PROVIDERS) {
      expect(provider.id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
      expect(provider.displayName.length).toBeGreaterThan(1);
      expect(new URL(provider.docsUrl).protocol).toBe('https:');
      expect(provider.verification).toMatch(/^[^\n]+$/);
      if (provider.challenge !== undefined) expect(provider.challenge).toMatch(/^[^\n]+$/);
      if (provider.toleranceSeconds !== undefined) expect(provider.toleranceSeconds).toBeGreaterThan(0);
      expect(findProvider(provider.id)).toBe(provider);
    }
  });

  it('names presets that the package root exports, built on the scheme the entry signs with', () => {
    for (const provider of WEBHOOK_PROVIDERS) {
      // A variant's entry (cloudinary-sha256) calls its preset with a fixed option.
      expect(typeof (root as Record<string, unknown>)[provider.presetName]).toBe('function');
      // Presets that sign the URL need it, PayPal its webhook id; the others build with no options.
      if (provider.requires?.includes('url') || provider.id === 'paypal') continue;
      const definition = provider.preset();
      expect(provider.id.startsWith(definition.provider)).toBe(true); // a variant records its family
      expect(definition.schemes.map((scheme) => scheme.name)).toContain(provider.scheme().name);
    }
  });

  it("is the README's provider table (UPDATE_README=1 rewrites it)", () => {
    const path = join(__dirname, '../README.md');
    const readme = readFileSync(path, 'utf8');
    const generated = withProviderTable(readme);
    if (process.env.UPDATE_README === '1') writeFileSync(path, generated);
    else expect(readme).toBe(generated);
  });

  it("is the CLI's provider list", async () => {
    const written: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    try {
      const { main } = await import('../src/cli/hookwarden');
      expect(await main(['--help'])).toBe(0);
    } finally {
      spy.mockRestore();
    }
    const send = /Providers \(send\): (.*)/.exec(written.join(''))![1].split(', ');
    const challenge = /Providers \(challenge\): (.*)/.exec(written.join(''))![1].split(', ');
    expect(send).toEqual(WEBHOOK_PROVIDERS.map((provider) => provider.id));
    expect(challenge).toEqual(WEBHOOK_PROVIDERS.filter((p) => p.challengeRequest).map((provider) => provider.id));
  });
});
