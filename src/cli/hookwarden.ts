#!/usr/bin/env node
// `hookwarden send <provider>` signs a delivery the way the provider does and posts it;
// `hookwarden challenge <provider>` sends the provider's URL-verification challenge and checks the answer.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CHALLENGES } from './challenges';
import { SIGNERS, signDelivery } from './signers';

const USAGE = `Usage:
  hookwarden send <provider> --url <url> --secret <secret> [--data <json> | --data @file] [--content-type <type>]
  hookwarden challenge <provider> --url <url> [--secret <secret>] [--verify-token <token>]

Providers (send): ${Object.keys(SIGNERS).join(', ')}
Providers (challenge): ${Object.keys(CHALLENGES).join(', ')}
`;

function out(text: string): void {
  process.stdout.write(text + '\n');
}

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      secret: { type: 'string' },
      data: { type: 'string' },
      'content-type': { type: 'string' },
      'verify-token': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, provider] = positionals;
  if (values.help || !command || !provider || !values.url) {
    process.stderr.write(USAGE);
    return values.help ? 0 : 2;
  }
  const url = values.url;
  if (command === 'send') {
    if (values.secret === undefined) throw new Error('--secret is required for send.');
    const data = values.data ?? JSON.stringify({ type: 'hookwarden.test', sentAt: new Date().toISOString() });
    const body = Buffer.from(data.startsWith('@') ? readFileSync(data.slice(1)) : data);
    const contentType = values['content-type'] ?? 'application/json';
    const headers = signDelivery(provider, { body, secret: values.secret, url, contentType });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    out(`${response.status} ${response.statusText}`);
    out(await response.text());
    return response.ok ? 0 : 1;
  }
  if (command === 'challenge') {
    const probeOf = CHALLENGES[provider];
    if (!probeOf) throw new Error(`No challenge for "${provider}". Known: ${Object.keys(CHALLENGES).join(', ')}.`);
    const probe = probeOf({ url, secret: values.secret, verifyToken: values['verify-token'] });
    const target = new URL(url);
    for (const [k, v] of Object.entries(probe.query ?? {})) target.searchParams.set(k, v);
    const response = await fetch(target, { method: probe.method, headers: probe.headers, body: probe.body });
    const text = await response.text();
    const problem = probe.check({ status: response.status, headers: response.headers, text });
    out(`${response.status} ${response.statusText}`);
    if (text) out(text);
    out(problem ? `FAILED: ${problem}` : 'OK: the answer is what the provider expects');
    return problem ? 1 : 0;
  }
  process.stderr.write(USAGE);
  return 2;
}

if (require.main === module) {
  // Run directly (node dist/cli/hookwarden.js); bin/hookwarden.js calls main() itself.
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`hookwarden: ${error.message}\n`);
      process.exit(2);
    },
  );
}
